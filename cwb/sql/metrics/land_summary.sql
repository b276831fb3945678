-- land_summary: land and building assets (C1, C2, C5, C9) as at a financial year, per anchor
-- and for the set ('_all'): sites, hectares and floor area, by status.
-- params: $network_id, $anchor_ids, $fy, $imd_edition
-- returns: anchor_id, status, sites, area_ha, floor_area_m2, sites_deprived (IMD decile 1-2),
--          area_ha_deprived, sites_imd_known, sites_located
WITH st AS (
    SELECT asset_id, arg_max(status, financial_year) AS status
    FROM asset_year WHERE financial_year <= $fy GROUP BY asset_id
)
SELECT coalesce(a.anchor_id, '_all') AS anchor_id,
       coalesce(st.status, 'not recorded') AS status,
       count(*) AS sites,
       round(sum(a.area_ha), 3) AS area_ha,
       round(sum(a.floor_area_m2), 0) AS floor_area_m2,
       count(*) FILTER (WHERE (CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END) <= 2) AS sites_deprived,
       round(coalesce(sum(a.area_ha) FILTER (WHERE (CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END) <= 2), 0), 3) AS area_ha_deprived,
       count(*) FILTER (WHERE (CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END) IS NOT NULL) AS sites_imd_known,
       count(*) FILTER (WHERE a.lat IS NOT NULL) AS sites_located
FROM asset a
LEFT JOIN st USING (asset_id)
LEFT JOIN asset_geo g USING (asset_id)
WHERE a.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
  AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, a.anchor_id))
GROUP BY GROUPING SETS ((a.anchor_id, coalesce(st.status, 'not recorded')), (coalesce(st.status, 'not recorded')))
ORDER BY 1, 2;
