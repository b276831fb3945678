-- dq_unlocated: suppliers with spend but no usable postcode, largest first, with why and what to
-- do (supplier-level: only anchors in $scope_anchor_ids contribute).
-- params: $network_id, $fy, $scope_anchor_ids
-- returns: supplier_name, spend_gbp (£), n_anchors, reason, what_to_do
SELECT CASE WHEN s.is_individual THEN 'Individual (name withheld)' ELSE s.name END AS supplier_name,
       sum(m.spend_gbp) AS spend_gbp, count(DISTINCT m.anchor_id) AS n_anchors,
       CASE WHEN s.is_individual THEN 'individual: not located by design'
            WHEN s.postcode IS NULL THEN 'no postcode on the supplier record'
            ELSE 'postcode not in the postcode directory: ' || s.postcode END AS reason,
       CASE WHEN s.is_individual THEN 'nothing: payments to individuals count in total spend but are never placed on a map'
            WHEN s.postcode IS NULL THEN 'add the trading-address postcode to the anchor''s supplier list and import it'
            ELSE 'correct the postcode in the supplier list (mistyped, or replaced by a newer one) and import it again' END AS what_to_do
FROM mart_spend_supplier m
JOIN supplier s USING (supplier_id)
JOIN supplier_geo g USING (supplier_id)
WHERE m.financial_year = $fy AND NOT g.located AND list_contains($scope_anchor_ids, m.anchor_id)
  AND m.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
GROUP BY ALL
ORDER BY spend_gbp DESC
LIMIT 500;
