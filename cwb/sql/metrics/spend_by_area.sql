-- spend_by_area: spend by the area of the supplier's postcode, for the map.
-- params: $network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n, $local_lads, $wider_lads,
--         $region_code, $imd_edition, $area_level ('lsoa11' | 'msoa11' | 'lad'),
--         $within_lads (only areas in these districts; empty list = every area)
-- returns: area_code, spend_gbp, n_suppliers, band (of the area's suppliers, most spend),
--          imd_decile (LSOA level only; NULL when not loaded), share_pct (of located spend,
--          every area counted: the map of part of the country keeps the national shares)
WITH c AS (
    SELECT CASE $area_level WHEN 'lsoa11' THEN lsoa11 WHEN 'msoa11' THEN msoa11 ELSE lad_code END AS area_code,
           supplier_id, spend_gbp, band, imd_decile, lad_code
    FROM spend_classified($network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n,
                          $local_lads, $wider_lads, $region_code, $imd_edition)
    WHERE located
),
areas AS (
    SELECT area_code,
           sum(spend_gbp) AS spend_gbp,
           count(DISTINCT supplier_id) AS n_suppliers,
           arg_max(band, spend_gbp) AS band,
           CASE WHEN $area_level = 'lsoa11' THEN max(imd_decile) END AS imd_decile,
           round(100 * sum(spend_gbp) / nullif(sum(sum(spend_gbp)) OVER (), 0), 4) AS share_pct,
           list(DISTINCT lad_code) AS lads   -- LSOAs and MSOAs nest in districts: one, rarely two
    FROM c
    WHERE area_code IS NOT NULL
    GROUP BY area_code
)
SELECT area_code, spend_gbp, n_suppliers, band, imd_decile, share_pct
FROM areas
WHERE len($within_lads) = 0 OR list_has_any(lads, $within_lads)
ORDER BY spend_gbp DESC, area_code;
