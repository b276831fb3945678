-- land_disposals: disposals by route (C3) including community asset transfers (C4), by year.
-- params: $network_id, $anchor_ids, $fy_from, $fy_to
-- returns: financial_year, disposal_route, sites, area_ha, value_gbp
SELECT y.financial_year, y.disposal_route, count(*) AS sites, round(sum(a.area_ha), 3) AS area_ha,
       coalesce(sum(y.disposal_value_gbp), 0) AS value_gbp
FROM asset_year y JOIN asset a USING (asset_id)
WHERE y.disposal_route IS NOT NULL
  AND a.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
  AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, a.anchor_id))
  AND y.financial_year BETWEEN $fy_from AND $fy_to
GROUP BY ALL
ORDER BY 1, 2;
