-- 30_macros: table macros shared by the spend metric queries, so the denominator rule and the
-- location bands are written once. Bound at call time (the marts exist by then).

-- spend_in_scope: rows of mart_spend_supplier inside the chosen denominator.
--   p_network_id: the network; only its anchors ever contribute
--   p_anchor_ids: list of anchor codes (empty list = every anchor of the network)
--   p_fy_from / p_fy_to: financial-year labels, inclusive
--   p_denominator: 'all' (all third-party spend) | 'influenceable' | 'top_n'
--   p_top_n: with 'top_n', the N largest suppliers of each anchor in each year
--   p_gate: false = no rows (a query's other path serves the view; tested in the scan itself,
--           so the anchor-grain mart is not read at all)
CREATE OR REPLACE MACRO spend_in_scope(p_network_id, p_anchor_ids, p_fy_from, p_fy_to, p_denominator, p_top_n,
                                       p_gate := true) AS TABLE
WITH base AS (
    SELECT m.*
    FROM mart_spend_supplier m
    WHERE p_gate
      AND m.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = p_network_id)
      AND (len(p_anchor_ids) = 0 OR list_contains(p_anchor_ids, m.anchor_id))
      AND m.financial_year BETWEEN p_fy_from AND p_fy_to
      AND (p_denominator <> 'influenceable' OR m.influenceable)
),
ranked AS (
    SELECT anchor_id, financial_year, supplier_id,
           row_number() OVER (PARTITION BY anchor_id, financial_year
                              ORDER BY sum(spend_gbp) DESC, supplier_id) AS rn
    FROM base
    WHERE supplier_id <> -1 AND p_denominator = 'top_n'   -- ranked only when the rule needs it
    GROUP BY anchor_id, financial_year, supplier_id
)
SELECT b.*
FROM base b
LEFT JOIN ranked r USING (anchor_id, financial_year, supplier_id)
WHERE p_denominator <> 'top_n' OR r.rn <= p_top_n;

-- spend_classified: spend_in_scope with each supplier's location band and flags.
--   band: local (in p_local_lads) / wider (rest of p_wider_lads) / region (rest of the region)
--         / uk (rest of the UK) / unknown (no usable postcode, or outside the UK)
--   imd_decile: of the supplier's LSOA in the chosen edition ('2019' or '2025'); NULL if unknown
CREATE OR REPLACE MACRO spend_classified(p_network_id, p_anchor_ids, p_fy_from, p_fy_to, p_denominator, p_top_n,
                                         p_local_lads, p_wider_lads, p_region_code, p_imd_edition,
                                         p_gate := true) AS TABLE
SELECT s.anchor_id, s.financial_year, s.supplier_id, s.category, s.influenceable,
       s.spend_gbp, s.n_payments, s.located,
       s.lad_code, s.lsoa11, s.msoa11, s.lat, s.lon,
       CASE WHEN NOT s.located THEN 'unknown'
            WHEN list_contains(p_local_lads, s.lad_code) THEN 'local'
            WHEN list_contains(p_wider_lads, s.lad_code) THEN 'wider'
            WHEN s.region_code = p_region_code THEN 'region'
            ELSE 'uk' END AS band,
       CASE WHEN p_imd_edition = '2025' THEN s.imd2025_decile ELSE s.imd2019_decile END AS imd_decile,
       s.is_sme, s.is_vcse, s.is_social_economy, s.is_individual
FROM spend_in_scope(p_network_id, p_anchor_ids, p_fy_from, p_fy_to, p_denominator, p_top_n, p_gate := p_gate) s;

-- spend_headline: rows of mart_spend_headline inside the chosen denominator ('all' or
-- 'influenceable'; for 'top_n' use spend_classified), with the location band and the
-- deprived-area flag of the chosen IMD edition (true: decile 1-2; NULL: decile unknown).
CREATE OR REPLACE MACRO spend_headline(p_network_id, p_anchor_ids, p_fy_from, p_fy_to, p_denominator,
                                       p_local_lads, p_wider_lads, p_region_code, p_imd_edition) AS TABLE
SELECT h.anchor_id, h.financial_year, h.spend_gbp, h.n_payments, h.located, h.lad_code,
       CASE WHEN NOT h.located THEN 'unknown'
            WHEN list_contains(p_local_lads, h.lad_code) THEN 'local'
            WHEN list_contains(p_wider_lads, h.lad_code) THEN 'wider'
            WHEN h.region_code = p_region_code THEN 'region'
            ELSE 'uk' END AS band,
       CASE WHEN p_imd_edition = '2025' THEN h.dep2025 ELSE h.dep2019 END AS deprived,
       h.is_sme, h.is_vcse, h.is_social_economy
FROM mart_spend_headline h
WHERE h.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = p_network_id)
  AND (len(p_anchor_ids) = 0 OR list_contains(p_anchor_ids, h.anchor_id))
  AND h.financial_year BETWEEN p_fy_from AND p_fy_to
  AND (p_denominator <> 'influenceable' OR h.influenceable);

-- network_marts_fit: true while the network's anchors are the ones the network marts were built
-- for (anchor_bit.network_id); an anchor added to or moved between networks since the last
-- refresh sends every query back to the anchor-grain marts until the next refresh.
CREATE OR REPLACE MACRO network_marts_fit(p_network_id) AS (
    (SELECT list(anchor_id ORDER BY anchor_id) FROM anchor WHERE network_id = p_network_id)
    IS NOT DISTINCT FROM
    (SELECT list(anchor_id ORDER BY anchor_id) FROM anchor_bit WHERE network_id = p_network_id)
);

-- covers_network: every anchor of the network is in the list (an empty list covers nothing).
CREATE OR REPLACE MACRO covers_network(p_network_id, p_anchor_ids) AS (
    NOT EXISTS (SELECT 1 FROM anchor WHERE network_id = p_network_id AND NOT list_contains(p_anchor_ids, anchor_id))
);

-- whole_network: the view is every anchor of the network (empty list = every anchor) and the
-- network marts fit: the queries then read mart_network_supplier_year / _count, whose figures
-- are those of the anchor-grain path, to the penny (tests/test_network_marts.py).
CREATE OR REPLACE MACRO whole_network(p_network_id, p_anchor_ids) AS (
    network_marts_fit(p_network_id) AND (len(p_anchor_ids) = 0 OR covers_network(p_network_id, p_anchor_ids))
);

-- spend_band: the location band of a supplier (see spend_classified).
CREATE OR REPLACE MACRO spend_band(p_located, p_lad_code, p_region, p_local_lads, p_wider_lads, p_region_code) AS
    CASE WHEN NOT p_located THEN 'unknown'
         WHEN list_contains(p_local_lads, p_lad_code) THEN 'local'
         WHEN list_contains(p_wider_lads, p_lad_code) THEN 'wider'
         WHEN p_region = p_region_code THEN 'region'
         ELSE 'uk' END;

-- network_suppliers: rows of mart_network_supplier_year of one network inside the denominator
-- ('all' or 'influenceable'; 'top_n' needs anchor grain), with that denominator's spend,
-- payments and anchor mask, the location band and the IMD decile of the chosen edition.
CREATE OR REPLACE MACRO network_suppliers(p_network_id, p_fy_from, p_fy_to, p_denominator,
                                          p_local_lads, p_wider_lads, p_region_code, p_imd_edition) AS TABLE
SELECT n.financial_year, n.supplier_id,
       CASE WHEN p_denominator = 'influenceable' THEN n.influenceable_gbp ELSE n.spend_gbp END AS spend_gbp,
       CASE WHEN p_denominator = 'influenceable' THEN n.n_payments_influenceable ELSE n.n_payments END AS n_payments,
       CASE WHEN p_denominator = 'influenceable' THEN n.influenceable_mask ELSE n.anchor_mask END AS mask,
       n.anchor_mask, n.located, n.lad_code, n.lsoa11, n.msoa11, n.lat, n.lon,
       spend_band(n.located, n.lad_code, n.region_code, p_local_lads, p_wider_lads, p_region_code) AS band,
       CASE WHEN p_imd_edition = '2025' THEN n.imd2025_decile ELSE n.imd2019_decile END AS imd_decile,
       n.is_individual
FROM mart_network_supplier_year n
WHERE n.network_id = p_network_id
  AND n.financial_year BETWEEN p_fy_from AND p_fy_to
  AND (p_denominator <> 'influenceable' OR n.n_payments_influenceable > 0);

-- anchor_set_mask: the bit string of a set of anchors of one network (empty list = every
-- anchor of the network, never of another), to test against mart_network_supplier_year.anchor_mask /
-- influenceable_mask.
CREATE OR REPLACE MACRO anchor_set_mask(p_network_id, p_anchor_ids) AS (
    SELECT CAST(string_agg(CASE WHEN anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = p_network_id)
                                     AND (len(p_anchor_ids) = 0 OR list_contains(p_anchor_ids, anchor_id))
                                THEN '1' ELSE '0' END, '' ORDER BY pos) AS BIT)
    FROM anchor_bit
);
