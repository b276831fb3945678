-- spend_suppliers: supplier-level spend (commercially sensitive: only the anchors in
-- $scope_anchor_ids contribute rows). Names of individuals are never returned.
-- params: $network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n, $local_lads, $wider_lads,
--         $region_code, $imd_edition, $scope_anchor_ids (list the caller may see in detail),
--         $area_level ('' | 'lsoa11' | 'msoa11' | 'lad'), $area_code, $search (text, '' = all),
--         $shared_only (true: only suppliers shared by 2+ anchors of the network),
--         $located_only (true: only suppliers with a position that may be shown, for map points),
--         $row_limit (the largest N rows by spend; 0 = every row)
-- returns: supplier_id, supplier_name ('Individual (name withheld)' for persons), postcode
--          (NULL for individuals), lad_code, lad_name, band, imd_decile, is_sme, is_vcse,
--          is_social_economy, spend_gbp, n_payments, n_anchors, anchors (codes, comma list),
--          shared (paid by 2+ anchors of the whole network in the period), lat, lon,
--          n_rows (rows before $row_limit), total_spend_gbp (their spend)
-- Speed (issue 15): the aggregation carries only numbers; names, postcodes, district names
-- and the anchors' list are joined to the rows kept after $row_limit (a national network
-- has 100,000s of suppliers; the page shows the largest 1,000). When the view and the detail
-- scope are the whole network ('all' or 'influenceable') it reads mart_network_supplier_year
-- (one row per supplier and year); otherwise the anchor-grain mart. Same rows either way. Its
-- largest 1,000 of one year with no filter, in the network's own bands (ranked), are a range of
-- mart_network_supplier_rank; whether each is a person is read from the supplier tables as they are.
-- Paths (cwb/db.py): each '-- @when' branch serves the views its condition names; cwb.db.run
-- sends DuckDB only those, without the '-- @gate' lines (the same conditions in SQL).
-- @let fast = not top_n and whole and scope_whole
-- @let ranked = fast and one_year and not filtered and ranked_rows and bands_fit
WITH
whole AS (SELECT $denominator <> 'top_n' AND whole_network($network_id, $anchor_ids) AND covers_network($network_id, $scope_anchor_ids) AS w),   -- @gate
rk AS (SELECT (SELECT w FROM whole) AND $fy_from = $fy_to AND $row_limit BETWEEN 1 AND 1000   -- @gate
              AND NOT ($search <> '' OR $shared_only OR $located_only OR $area_level <> '')   -- @gate
              AND network_bands_fit($network_id, $local_lads, $wider_lads, $region_code) AS ranked),   -- @gate
-- @when not ranked: the list worked out from the suppliers' rows
-- @when search
found AS (   -- the search, on names that may be shown (never a person's)
    SELECT s.supplier_id
    FROM supplier_resolved s JOIN supplier raw ON raw.supplier_id = s.supplier_id
    WHERE NOT (coalesce(s.is_individual, false) OR coalesce(raw.is_individual, false))
      AND contains(lower(s.name), lower($search))
      AND $search <> ''   -- @gate
),
-- @end
-- @when fast: the view and the detail scope are the whole network
fast AS (   -- one row per supplier and year (one year: no aggregation)
-- @when one_year
    SELECT supplier_id, spend_gbp, n_payments, mask,
           bit_count(anchor_mask) >= 2 AS shared   -- masks: this network's anchors only
    FROM network_suppliers($network_id, $fy_from, $fy_to, $denominator,
                           $local_lads, $wider_lads, $region_code, $imd_edition)
    WHERE ($area_level = ''
           OR ($area_level = 'lsoa11' AND lsoa11 = $area_code)
           OR ($area_level = 'msoa11' AND msoa11 = $area_code)
           OR ($area_level = 'lad' AND lad_code = $area_code))
      AND (NOT $located_only OR (located AND lat IS NOT NULL AND NOT is_individual))
-- @when search
      AND ($search = '' OR supplier_id IN (SELECT supplier_id FROM found))
-- @end
      AND (SELECT w FROM whole) AND $fy_from = $fy_to   -- @gate
-- @or not one_year
    SELECT supplier_id, sum(spend_gbp) AS spend_gbp, sum(n_payments) AS n_payments, bit_or(mask) AS mask,
           bit_count(bit_or(anchor_mask)) >= 2 AS shared
    FROM network_suppliers($network_id, $fy_from, $fy_to, $denominator,
                           $local_lads, $wider_lads, $region_code, $imd_edition)
    WHERE ($area_level = ''
           OR ($area_level = 'lsoa11' AND lsoa11 = $area_code)
           OR ($area_level = 'msoa11' AND msoa11 = $area_code)
           OR ($area_level = 'lad' AND lad_code = $area_code))
      AND (NOT $located_only OR (located AND lat IS NOT NULL AND NOT is_individual))
-- @when search
      AND ($search = '' OR supplier_id IN (SELECT supplier_id FROM found))
-- @end
      AND (SELECT w FROM whole) AND $fy_from <> $fy_to   -- @gate
    GROUP BY supplier_id
-- @end
),
-- @end
-- @when not fast: a subset of anchors, a restricted scope or the top-N denominator: anchor grain
c AS (
    SELECT *
    FROM spend_classified($network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n,
                          $local_lads, $wider_lads, $region_code, $imd_edition
                          , p_gate := NOT (SELECT w FROM whole)   -- @gate
                          )
    WHERE list_contains($scope_anchor_ids, anchor_id)
      AND supplier_id <> -1
      AND ($area_level = ''
           OR ($area_level = 'lsoa11' AND lsoa11 = $area_code)
           OR ($area_level = 'msoa11' AND msoa11 = $area_code)
           OR ($area_level = 'lad' AND lad_code = $area_code))
      AND (NOT $located_only OR (located AND lat IS NOT NULL AND NOT is_individual))
-- @when search
      AND ($search = '' OR supplier_id IN (SELECT supplier_id FROM found))
-- @end
      AND NOT (SELECT w FROM whole)   -- @gate
),
per_anchor AS (
    SELECT supplier_id, anchor_id, sum(spend_gbp) AS spend_gbp, sum(n_payments) AS n_payments
    FROM c
    GROUP BY supplier_id, anchor_id
),
slow AS (
    SELECT supplier_id, sum(spend_gbp) AS spend_gbp, sum(n_payments) AS n_payments, count(*) AS n_anchors
    FROM per_anchor GROUP BY supplier_id
),
net AS (     -- paid by 2+ anchors of this network in the period (any denominator, any scope)
-- @when marts_fit
    SELECT supplier_id,
           bit_count(bit_or(anchor_mask & anchor_set_mask($network_id, []))) >= 2 AS shared
    FROM mart_network_supplier_year
    WHERE network_id = $network_id AND financial_year BETWEEN $fy_from AND $fy_to
      AND supplier_id IN (SELECT supplier_id FROM slow)
      AND network_marts_fit($network_id)   -- @gate
    GROUP BY supplier_id
-- @or not marts_fit: the network's anchors changed since the marts were built
    SELECT m.supplier_id, count(DISTINCT m.anchor_id) >= 2 AS shared
    FROM mart_spend_supplier m
    WHERE m.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
      AND m.financial_year BETWEEN $fy_from AND $fy_to
      AND m.supplier_id IN (SELECT supplier_id FROM slow)
      AND NOT network_marts_fit($network_id)   -- @gate
    GROUP BY m.supplier_id
-- @end
),
-- @end
agg AS (
-- @when fast
    SELECT supplier_id, spend_gbp, n_payments, bit_count(mask) AS n_anchors, shared, mask FROM fast
-- @or not fast
    SELECT slow.supplier_id, slow.spend_gbp, slow.n_payments, slow.n_anchors, coalesce(net.shared, false) AS shared,
           NULL::BIT AS mask
    FROM slow LEFT JOIN net ON net.supplier_id = slow.supplier_id
-- @end
),
shown AS (
    SELECT * FROM agg WHERE NOT $shared_only OR shared
),
kept AS (   -- the count and spend of every row shown (no window over 100,000s of rows), then the largest
    SELECT shown.*, t.n_rows, t.total_spend_gbp
    FROM shown, (SELECT count(*) AS n_rows, sum(spend_gbp) AS total_spend_gbp FROM shown) t
    ORDER BY shown.spend_gbp DESC, shown.supplier_id
    LIMIT CASE WHEN $row_limit > 0 THEN $row_limit END
),
names AS (   -- the anchors of each kept row: from its mask (whole network), else its anchor rows
-- @when fast
    SELECT k.supplier_id, string_agg(b.anchor_id, ', ' ORDER BY b.anchor_id) AS anchors
    FROM kept k JOIN anchor_bit b ON get_bit(k.mask, b.pos - 1) = 1
    WHERE k.mask IS NOT NULL
    GROUP BY k.supplier_id
-- @or not fast
    SELECT p.supplier_id, string_agg(p.anchor_id, ', ' ORDER BY p.anchor_id) AS anchors
    FROM per_anchor p SEMI JOIN kept k ON k.supplier_id = p.supplier_id
    GROUP BY p.supplier_id
-- @end
),
-- @end
res AS (
-- @when ranked: one year of the whole network, no filter, in its own bands: a range of the ranked mart (35_banded_marts)
    SELECT r.supplier_id,
           CASE WHEN r.person THEN 'Individual (name withheld)' ELSE r.name END AS supplier_name,
           CASE WHEN r.person THEN NULL ELSE r.postcode END AS postcode,
           r.lad_code, r.lad_name, r.band,
           CASE WHEN $imd_edition = '2025' THEN r.imd2025_decile ELSE r.imd2019_decile END AS imd_decile,
           r.is_sme, r.is_vcse, r.is_social_economy,
           r.spend_gbp, r.n_payments, r.n_anchors, r.anchors, r.shared,
           CASE WHEN r.person THEN NULL ELSE r.lat END AS lat,
           CASE WHEN r.person THEN NULL ELSE r.lon END AS lon,
           r.n_rows, r.total_spend_gbp
    FROM (SELECT m.*,
                 m.supplier_id IN (SELECT supplier_id FROM supplier WHERE is_individual   -- a person, as it is now
                                   UNION ALL
                                   SELECT supplier_id FROM supplier_resolved WHERE is_individual) AS person
          FROM mart_network_supplier_rank m
          WHERE m.network_id = $network_id AND m.financial_year = $fy_from
            AND m.denominator = CASE WHEN $denominator = 'influenceable' THEN 'influenceable' ELSE 'all' END
            AND m.rank <= $row_limit
            AND (SELECT ranked FROM rk)   -- @gate
         ) r
-- @or not ranked
    SELECT k.supplier_id,
           CASE WHEN (s.is_individual OR raw.is_individual) THEN 'Individual (name withheld)' ELSE s.name END AS supplier_name,
           CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE g.postcode END AS postcode,
           g.lad_code, l.lad_name,
           spend_band(coalesce(g.located, false) AND coalesce(g.country, 'UK') = 'UK', g.lad_code, g.region_code,
                      $local_lads, $wider_lads, $region_code) AS band,
           CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END AS imd_decile,
           s.is_sme, s.is_vcse, s.is_social_economy,
           k.spend_gbp, k.n_payments, k.n_anchors, n.anchors, k.shared,
           CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE g.lat END AS lat,
           CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE g.lon END AS lon,
           k.n_rows, k.total_spend_gbp
    FROM kept k
    JOIN names n ON n.supplier_id = k.supplier_id
    JOIN supplier_resolved s ON s.supplier_id = k.supplier_id   -- flags: own, else from registers (05_registers)
    JOIN supplier raw ON raw.supplier_id = k.supplier_id         -- a person on either record is never named
    LEFT JOIN supplier_geo g ON g.supplier_id = k.supplier_id
    LEFT JOIN ref_lad l ON l.lad_code = g.lad_code
    WHERE NOT (SELECT ranked FROM rk)   -- @gate
-- @end
)
SELECT * FROM res
ORDER BY spend_gbp DESC, supplier_id;
