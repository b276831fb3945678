-- land_sites: every site with its status as at a financial year (site-level detail: only the
-- anchors in $scope_anchor_ids contribute rows).
-- params: $network_id, $anchor_ids, $fy, $scope_anchor_ids, $tenures (list, empty = all), $statuses (list,
--         empty = all), $imd_edition
-- returns: asset_id, anchor_id, site_name, uprn, postcode, lat, lon, location_precision, tenure,
--          use_type, area_ha, floor_area_m2, status, disposal_route, disposal_value_gbp,
--          status_year, imd_decile, lad_code, lsoa11, lsoa_from (how the LSOA was found)
WITH st AS (
    SELECT asset_id, arg_max(status, financial_year) AS status, arg_max(disposal_route, financial_year) AS disposal_route,
           arg_max(disposal_value_gbp, financial_year) AS disposal_value_gbp, max(financial_year) AS status_year
    FROM asset_year WHERE financial_year <= $fy GROUP BY asset_id
)
SELECT a.asset_id, a.anchor_id, a.site_name, a.uprn, a.postcode, a.lat, a.lon, a.location_precision,
       a.tenure, a.use_type, a.area_ha, a.floor_area_m2,
       coalesce(st.status, 'not recorded') AS status, st.disposal_route, st.disposal_value_gbp, st.status_year,
       CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END AS imd_decile,
       g.lad_code, g.lsoa11, g.lsoa_from
FROM asset a
LEFT JOIN st USING (asset_id)
LEFT JOIN asset_geo g USING (asset_id)
WHERE list_contains($scope_anchor_ids, a.anchor_id)
  AND a.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
  AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, a.anchor_id))
  AND (len($tenures) = 0 OR list_contains($tenures, coalesce(a.tenure, 'not recorded')))
  AND (len($statuses) = 0 OR list_contains($statuses, coalesce(st.status, 'not recorded')))
ORDER BY a.anchor_id, a.site_name;
