-- land_tenures: the tenures and uses recorded in the registers (for the site filters).
-- params: $network_id, $anchor_ids
-- returns: tenure, use_type, sites (count)
SELECT coalesce(tenure, 'not recorded') AS tenure, coalesce(use_type, 'not recorded') AS use_type, count(*) AS sites
FROM asset
WHERE anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
  AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, anchor_id))
GROUP BY ALL
ORDER BY 1, 2;
