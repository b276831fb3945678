-- spend_suppliers: supplier-level spend (commercially sensitive: only the anchors in
-- $scope_anchor_ids contribute rows). Names of individuals are never returned.
-- params: $network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n, $local_lads, $wider_lads,
--         $region_code, $imd_edition, $scope_anchor_ids (list the caller may see in detail),
--         $area_level ('' | 'lsoa11' | 'msoa11' | 'lad'), $area_code, $search (text, '' = all)
-- returns: supplier_id, supplier_name ('Individual (name withheld)' for persons), postcode
--          (NULL for individuals), lad_code, lad_name, band, imd_decile, is_sme, is_vcse,
--          is_social_economy, spend_gbp, n_payments, n_anchors, anchors (codes, comma list),
--          shared (paid by 2+ anchors of the whole network in the period), lat, lon
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
),
net AS (
    SELECT supplier_id, count(DISTINCT anchor_id) AS n_network_anchors
    FROM mart_spend_supplier
    WHERE financial_year BETWEEN $fy_from AND $fy_to AND supplier_id <> -1
      AND anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)   -- another network's anchors never make a supplier shared
    GROUP BY supplier_id
),
agg AS (
    SELECT supplier_id, any_value(band) AS band, any_value(imd_decile) AS imd_decile,
           any_value(lad_code) AS lad_code, any_value(lat) AS lat, any_value(lon) AS lon,
           sum(spend_gbp) AS spend_gbp, sum(n_payments) AS n_payments,
           count(DISTINCT anchor_id) AS n_anchors,
           string_agg(DISTINCT anchor_id, ', ' ORDER BY anchor_id) AS anchors
    FROM c GROUP BY supplier_id
)
SELECT agg.supplier_id,
       CASE WHEN (s.is_individual OR raw.is_individual) THEN 'Individual (name withheld)' ELSE s.name END AS supplier_name,
       CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE g.postcode END AS postcode,
       agg.lad_code, l.lad_name, agg.band, agg.imd_decile,
       s.is_sme, s.is_vcse, s.is_social_economy,
       agg.spend_gbp, agg.n_payments, agg.n_anchors, agg.anchors,
       coalesce(net.n_network_anchors, 0) >= 2 AS shared,
       CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE agg.lat END AS lat,
       CASE WHEN (s.is_individual OR raw.is_individual) THEN NULL ELSE agg.lon END AS lon
FROM agg
JOIN supplier_resolved s ON s.supplier_id = agg.supplier_id   -- flags: own, else from registers (05_registers)
JOIN supplier raw ON raw.supplier_id = agg.supplier_id         -- a person on either record is never named
LEFT JOIN supplier_geo g ON g.supplier_id = agg.supplier_id
LEFT JOIN ref_lad l ON l.lad_code = agg.lad_code
LEFT JOIN net ON net.supplier_id = agg.supplier_id
WHERE $search = '' OR contains(lower(CASE WHEN (s.is_individual OR raw.is_individual) THEN '' ELSE s.name END), lower($search))
ORDER BY agg.spend_gbp DESC;
