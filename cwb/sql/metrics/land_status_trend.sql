-- land_status_trend: sites and hectares by status in each financial year (status changes over
-- time; disposed and transferred sites stay counted in the year they left).
-- params: $network_id, $anchor_ids, $fy_from, $fy_to
-- returns: financial_year, status, sites, area_ha
SELECT y.financial_year, y.status, count(*) AS sites, round(sum(a.area_ha), 3) AS area_ha
FROM asset_year y JOIN asset a USING (asset_id)
WHERE a.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
  AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, a.anchor_id))
  AND y.financial_year BETWEEN $fy_from AND $fy_to
GROUP BY ALL
ORDER BY 1, 2;
