-- dq_unlocated: suppliers with spend but no usable postcode, largest first (supplier-level:
-- only anchors in $scope_anchor_ids contribute).
-- params: $fy, $scope_anchor_ids
-- returns: supplier_name, spend_gbp, n_anchors, reason
SELECT CASE WHEN s.is_individual THEN 'Individual (name withheld)' ELSE s.name END AS supplier_name,
       sum(m.spend_gbp) AS spend_gbp, count(DISTINCT m.anchor_id) AS n_anchors,
       CASE WHEN s.is_individual THEN 'individual: not located by design'
            WHEN s.postcode IS NULL THEN 'no postcode on the supplier record'
            ELSE 'postcode not in the postcode directory: ' || s.postcode END AS reason
FROM mart_spend_supplier m
JOIN supplier s USING (supplier_id)
JOIN supplier_geo g USING (supplier_id)
WHERE m.financial_year = $fy AND NOT g.located AND list_contains($scope_anchor_ids, m.anchor_id)
GROUP BY ALL
ORDER BY spend_gbp DESC
LIMIT 500;
