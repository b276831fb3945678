-- 30_macros: table macros shared by the spend metric queries, so the denominator rule and the
-- location bands are written once. Bound at call time (the marts exist by then).

-- spend_in_scope: rows of mart_spend_supplier inside the chosen denominator.
--   p_anchor_ids: list of anchor codes (empty list = every anchor)
--   p_fy_from / p_fy_to: financial-year labels, inclusive
--   p_denominator: 'all' (all third-party spend) | 'influenceable' | 'top_n'
--   p_top_n: with 'top_n', the N largest suppliers of each anchor in each year
CREATE OR REPLACE MACRO spend_in_scope(p_anchor_ids, p_fy_from, p_fy_to, p_denominator, p_top_n) AS TABLE
WITH base AS (
    SELECT m.*
    FROM mart_spend_supplier m
    WHERE (len(p_anchor_ids) = 0 OR list_contains(p_anchor_ids, m.anchor_id))
      AND m.financial_year BETWEEN p_fy_from AND p_fy_to
      AND (p_denominator <> 'influenceable' OR m.influenceable)
),
ranked AS (
    SELECT anchor_id, financial_year, supplier_id,
           row_number() OVER (PARTITION BY anchor_id, financial_year
                              ORDER BY sum(spend_gbp) DESC, supplier_id) AS rn
    FROM base
    WHERE supplier_id <> -1
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
CREATE OR REPLACE MACRO spend_classified(p_anchor_ids, p_fy_from, p_fy_to, p_denominator, p_top_n,
                                         p_local_lads, p_wider_lads, p_region_code, p_imd_edition) AS TABLE
SELECT s.anchor_id, s.financial_year, s.supplier_id, s.category, s.influenceable,
       s.spend_gbp, s.n_payments,
       coalesce(g.located, false) AS located,
       g.lad_code, g.lsoa11, g.msoa11, g.lat, g.lon,
       CASE WHEN NOT coalesce(g.located, false) OR coalesce(g.country, 'UK') <> 'UK' THEN 'unknown'
            WHEN list_contains(p_local_lads, g.lad_code) THEN 'local'
            WHEN list_contains(p_wider_lads, g.lad_code) THEN 'wider'
            WHEN g.region_code = p_region_code THEN 'region'
            ELSE 'uk' END AS band,
       CASE WHEN p_imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END AS imd_decile,
       sp.is_sme, sp.is_vcse, sp.is_social_economy,
       coalesce(sp.is_individual, false) AS is_individual
FROM spend_in_scope(p_anchor_ids, p_fy_from, p_fy_to, p_denominator, p_top_n) s
LEFT JOIN supplier_geo g ON g.supplier_id = s.supplier_id
LEFT JOIN supplier sp ON sp.supplier_id = s.supplier_id;
