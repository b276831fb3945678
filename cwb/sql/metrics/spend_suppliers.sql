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
-- has 100,000s of suppliers; the page shows the largest 1,000).
WITH c AS (
    SELECT *
    FROM spend_classified($network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n,
                          $local_lads, $wider_lads, $region_code, $imd_edition)
    WHERE list_contains($scope_anchor_ids, anchor_id)
      AND supplier_id <> -1
      AND ($area_level = ''
           OR ($area_level = 'lsoa11' AND lsoa11 = $area_code)
           OR ($area_level = 'msoa11' AND msoa11 = $area_code)
           OR ($area_level = 'lad' AND lad_code = $area_code))
      AND (NOT $located_only OR (located AND lat IS NOT NULL AND NOT is_individual))
),
found AS (   -- the search, on names that may be shown (never a person's)
    SELECT s.supplier_id
    FROM supplier_resolved s JOIN supplier raw ON raw.supplier_id = s.supplier_id
    WHERE $search <> '' AND NOT (coalesce(s.is_individual, false) OR coalesce(raw.is_individual, false))
      AND contains(lower(s.name), lower($search))
),
per_anchor AS (
    SELECT supplier_id, anchor_id, sum(spend_gbp) AS spend_gbp, sum(n_payments) AS n_payments
    FROM c
    WHERE $search = '' OR supplier_id IN (SELECT supplier_id FROM found)
    GROUP BY supplier_id, anchor_id
),
agg AS (
    SELECT supplier_id, sum(spend_gbp) AS spend_gbp, sum(n_payments) AS n_payments, count(*) AS n_anchors
    FROM per_anchor GROUP BY supplier_id
),
net AS (     -- paid by 2+ anchors of this network in the period (any denominator, any scope)
    SELECT supplier_id,
           bit_count(bit_or(anchor_mask & anchor_set_mask($network_id, []))) >= 2 AS shared
    FROM mart_supplier_year
    WHERE financial_year BETWEEN $fy_from AND $fy_to
    GROUP BY supplier_id
),
kept AS (
    SELECT agg.*, coalesce(net.shared, false) AS shared,
           count(*) OVER () AS n_rows, sum(agg.spend_gbp) OVER () AS total_spend_gbp
    FROM agg LEFT JOIN net ON net.supplier_id = agg.supplier_id
    WHERE NOT $shared_only OR coalesce(net.shared, false)
    ORDER BY agg.spend_gbp DESC, agg.supplier_id
    LIMIT CASE WHEN $row_limit > 0 THEN $row_limit END
),
names AS (
    SELECT p.supplier_id, string_agg(p.anchor_id, ', ' ORDER BY p.anchor_id) AS anchors
    FROM per_anchor p SEMI JOIN kept k ON k.supplier_id = p.supplier_id
    GROUP BY p.supplier_id
),
place AS (   -- the supplier's place, as the mart holds it (the same on each of its rows)
    SELECT c.supplier_id, any_value(band) AS band, any_value(imd_decile) AS imd_decile,
           any_value(lad_code) AS lad_code, any_value(lat) AS lat, any_value(lon) AS lon
    FROM c SEMI JOIN kept k ON k.supplier_id = c.supplier_id
    GROUP BY c.supplier_id
)
SELECT k.supplier_id,
       CASE WHEN (s.is_individual OR raw.is_individual) THEN 'Individual (name withheld)' ELSE s.name END AS supplier_name,
       CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE g.postcode END AS postcode,
       pl.lad_code, l.lad_name, pl.band, pl.imd_decile,
       s.is_sme, s.is_vcse, s.is_social_economy,
       k.spend_gbp, k.n_payments, k.n_anchors, n.anchors, k.shared,
       CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE pl.lat END AS lat,
       CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE pl.lon END AS lon,
       k.n_rows, k.total_spend_gbp
FROM kept k
JOIN names n ON n.supplier_id = k.supplier_id
JOIN place pl ON pl.supplier_id = k.supplier_id
JOIN supplier_resolved s ON s.supplier_id = k.supplier_id   -- flags: own, else from registers (05_registers)
JOIN supplier raw ON raw.supplier_id = k.supplier_id         -- a person on either record is never named
LEFT JOIN supplier_geo g ON g.supplier_id = k.supplier_id
LEFT JOIN ref_lad l ON l.lad_code = pl.lad_code
ORDER BY k.spend_gbp DESC, k.supplier_id;
