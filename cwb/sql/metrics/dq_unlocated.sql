-- dq_unlocated: suppliers with spend but no usable postcode, largest first, with why and what to
-- do (supplier-level: only anchors in $scope_anchor_ids contribute). Location and matches come
-- from supplier_resolved (the anchor's own records, else the open registers, else by hand).
-- params: $fy, $scope_anchor_ids
-- returns: supplier_name, spend_gbp (£), n_anchors, reason, what_to_do
SELECT CASE WHEN s.is_individual THEN 'Individual (name withheld)' ELSE s.name END AS supplier_name,
       sum(m.spend_gbp) AS spend_gbp, count(DISTINCT m.anchor_id) AS n_anchors,
       CASE WHEN s.is_individual THEN 'individual: not located by design'
            WHEN s.country <> 'UK' THEN 'outside the UK (' || s.country || ')'
            WHEN s.postcode IS NULL AND s.match_kind IS NOT NULL THEN 'matched to ' || s.match_kind || ' ' || s.match_reg_id || ', which gives no postcode'
            WHEN s.postcode IS NULL THEN 'no postcode on the supplier record and no register match'
            ELSE 'postcode not in the postcode directory: ' || s.postcode END AS reason,
       CASE WHEN s.is_individual THEN 'nothing: payments to individuals count in total spend but are never placed on a map'
            WHEN s.country <> 'UK' THEN 'nothing: spend outside the UK is never local'
            WHEN s.postcode IS NULL THEN 'review it on the Supplier review page (match it to a register entry or give its postcode), or add it to the anchor''s supplier list and import it'
            ELSE 'correct the postcode in the supplier list (mistyped, or replaced by a newer one) and import it again' END AS what_to_do
FROM mart_spend_supplier m
JOIN supplier_resolved s USING (supplier_id)
JOIN supplier_geo g USING (supplier_id)
WHERE m.financial_year = $fy AND NOT g.located AND list_contains($scope_anchor_ids, m.anchor_id)
GROUP BY ALL
ORDER BY spend_gbp DESC
LIMIT 500;
