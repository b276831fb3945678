-- land_breakdown: land and building assets as at a financial year (C1), broken down by one
-- dimension, with the sites and hectares in IMD decile 1-2 areas (C9: where they are and how
-- they are used). Disposed and transferred sites are no longer held and are left out.
-- params: $network_id, $anchor_ids, $fy, $dimension ('anchor_id' | 'tenure' | 'use_type' | 'status' |
--         'location_precision'), $imd_edition
-- returns: category, sites (count), area_ha (hectares), floor_area_m2 (m², where recorded),
--          sites_deprived (in decile 1-2 LSOAs), area_ha_deprived, sites_imd_known
WITH st AS (
    SELECT asset_id, arg_max(status, financial_year) AS status
    FROM asset_year WHERE financial_year <= $fy GROUP BY asset_id
),
s AS (
    SELECT a.*, coalesce(st.status, 'not recorded') AS status,
           CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END AS decile
    FROM asset a
    LEFT JOIN st USING (asset_id)
    LEFT JOIN asset_geo g USING (asset_id)
    WHERE a.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
      AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, a.anchor_id))
)
SELECT coalesce(CASE $dimension WHEN 'anchor_id' THEN anchor_id WHEN 'tenure' THEN tenure
                                WHEN 'use_type' THEN use_type WHEN 'location_precision' THEN location_precision
                                ELSE status END, 'not recorded') AS category,
       count(*) AS sites,
       round(coalesce(sum(area_ha), 0), 3) AS area_ha,
       round(sum(floor_area_m2), 0) AS floor_area_m2,
       count(*) FILTER (WHERE decile <= 2) AS sites_deprived,
       round(coalesce(sum(area_ha) FILTER (WHERE decile <= 2), 0), 3) AS area_ha_deprived,
       count(*) FILTER (WHERE decile IS NOT NULL) AS sites_imd_known
FROM s
WHERE status NOT IN ('disposed', 'transferred')
GROUP BY 1
ORDER BY sites DESC, category;
