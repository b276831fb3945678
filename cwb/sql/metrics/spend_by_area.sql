-- spend_by_area: spend by the area of the supplier's postcode, for the map.
-- params: $network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n, $local_lads, $wider_lads,
--         $region_code, $imd_edition, $area_level ('lsoa11' | 'msoa11' | 'lad'),
--         $within_lads (only areas in these districts; empty list = every area)
-- returns: area_code, spend_gbp, n_suppliers, band (the band with the most of the area's spend;
--          ties: the first by name), imd_decile (LSOA level only; NULL when not loaded),
--          share_pct (of located spend, every area counted: the map of part of the country
--          keeps the national shares)
-- Speed (issue 15): one year of the whole network ('all' or 'influenceable') reads
-- mart_network_area_year (one row per area and district), several years
-- mart_network_supplier_year (one row per supplier and year); a subset of anchors or the top-N
-- denominator the anchor-grain mart. Same rows either way. One year of the whole network in the
-- network's own bands (banded) reads the finished rows of mart_network_area_banded.
-- Paths (cwb/db.py): each '-- @when' branch serves the views its condition names; cwb.db.run
-- sends DuckDB only those, without the '-- @gate' lines (the same conditions in SQL).
-- @let banded = not top_n and whole and one_year and bands_fit
WITH
whole AS (SELECT $denominator <> 'top_n' AND whole_network($network_id, $anchor_ids) AS w),   -- @gate
fin AS (SELECT (SELECT w FROM whole) AND $fy_from = $fy_to   -- @gate
               AND network_bands_fit($network_id, $local_lads, $wider_lads, $region_code) AS b),   -- @gate
-- @when not banded: the live path
c AS (
-- @when not top_n and whole and one_year: one year of the whole network, pre-aggregated per area (n: its distinct suppliers)
    SELECT area_code, NULL AS supplier_id,
           CASE WHEN $denominator = 'influenceable' THEN n_suppliers_influenceable ELSE n_suppliers END AS n,
           CASE WHEN $denominator = 'influenceable' THEN influenceable_gbp ELSE spend_gbp END AS spend_gbp,
           spend_band(true, lad_code, region_code, $local_lads, $wider_lads, $region_code) AS band,
           CASE WHEN $imd_edition = '2025' THEN imd2025_decile ELSE imd2019_decile END AS imd_decile, lad_code
    FROM mart_network_area_year
    WHERE network_id = $network_id AND financial_year = $fy_from AND area_level = $area_level
      AND ($denominator <> 'influenceable' OR n_suppliers_influenceable > 0)
      AND (SELECT w FROM whole) AND $fy_from = $fy_to   -- @gate
      AND NOT (SELECT b FROM fin)   -- @gate
-- @or not top_n and whole and not one_year: several years of the whole network, one row per supplier and year
    SELECT CASE $area_level WHEN 'lsoa11' THEN lsoa11 WHEN 'msoa11' THEN msoa11 ELSE lad_code END AS area_code,
           supplier_id, NULL AS n, spend_gbp, band, imd_decile, lad_code
    FROM network_suppliers($network_id, $fy_from, $fy_to, $denominator,
                           $local_lads, $wider_lads, $region_code, $imd_edition)
    WHERE located
      AND (SELECT w FROM whole) AND $fy_from <> $fy_to   -- @gate
-- @or top_n or not whole: some anchors, or the top-N denominator: anchor grain
    SELECT CASE $area_level WHEN 'lsoa11' THEN lsoa11 WHEN 'msoa11' THEN msoa11 ELSE lad_code END AS area_code,
           supplier_id, NULL AS n, spend_gbp, band, imd_decile, lad_code
    FROM spend_classified($network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n,
                          $local_lads, $wider_lads, $region_code, $imd_edition
                          , p_gate := NOT (SELECT w FROM whole)   -- @gate
                          )
    WHERE located
      AND NOT (SELECT w FROM whole)   -- @gate
-- @end
),
bands AS (   -- an area's spend per band (an LSOA or MSOA rarely spans two districts)
    SELECT area_code, band, sum(spend_gbp) AS spend_gbp
    FROM c WHERE area_code IS NOT NULL
    GROUP BY area_code, band
),
areas AS (
    SELECT area_code,
           sum(spend_gbp) AS spend_gbp,
           count(DISTINCT supplier_id) + coalesce(sum(n), 0) AS n_suppliers,
           CASE WHEN $area_level = 'lsoa11' THEN max(imd_decile) END AS imd_decile,
           round(100 * sum(spend_gbp) / nullif(sum(sum(spend_gbp)) OVER (), 0), 4) AS share_pct,
           list(DISTINCT lad_code) AS lads   -- LSOAs and MSOAs nest in districts: one, rarely two
    FROM c
    WHERE area_code IS NOT NULL
    GROUP BY area_code
),
-- @end
r AS (
-- @when banded: one year of the whole network in its own bands, finished at build time (35_banded_marts)
    SELECT area_code, spend_gbp, n_suppliers, band,
           CASE WHEN $area_level = 'lsoa11' THEN (CASE WHEN $imd_edition = '2025' THEN imd2025_decile
                                                      ELSE imd2019_decile END) END AS imd_decile,
           share_pct
    FROM mart_network_area_banded
    WHERE network_id = $network_id AND financial_year = $fy_from AND area_level = $area_level
      AND denominator = CASE WHEN $denominator = 'influenceable' THEN 'influenceable' ELSE 'all' END
      AND (len($within_lads) = 0 OR list_has_any(lads, $within_lads))
      AND (SELECT b FROM fin)   -- @gate
-- @or not banded
    SELECT a.area_code, a.spend_gbp, a.n_suppliers, b.band, a.imd_decile, a.share_pct
    FROM areas a
    JOIN (SELECT area_code, first(band ORDER BY spend_gbp DESC, band) AS band FROM bands GROUP BY area_code) b
      ON b.area_code = a.area_code
    WHERE len($within_lads) = 0 OR list_has_any(a.lads, $within_lads)
-- @end
)
SELECT * FROM r
ORDER BY spend_gbp DESC, area_code;
