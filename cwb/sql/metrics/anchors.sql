-- anchors: the anchors of a network with their type and data span.
-- params: $network_id
-- returns: anchor_id, name, anchor_type, site_postcode, joined_fy, is_synthetic,
--          first_fy, last_fy (financial years with payments)
SELECT a.anchor_id, a.name, a.anchor_type, a.site_postcode, a.joined_fy, a.is_synthetic,
       min(m.financial_year) AS first_fy, max(m.financial_year) AS last_fy
FROM anchor a
LEFT JOIN mart_spend_month m USING (anchor_id)
WHERE a.network_id = $network_id
GROUP BY ALL
ORDER BY a.anchor_id;
