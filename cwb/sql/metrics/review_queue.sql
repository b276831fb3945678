-- review_queue: payees to check by hand, largest spend first (the top 300 first, as CLES does):
-- no automatic match, or a match below the threshold, and no reviewer's decision yet.
-- Supplier-level: only anchors in $scope_anchor_ids contribute. Individuals never appear.
-- params: $scope_anchor_ids (list), $fy_from, $fy_to, $include_decided (boolean: also decided
--         and automatically matched payees), $search (text, '' = all)
-- returns: name_norm (the payee key decisions are stored under), payee (name as published),
--          spend_gbp (£ in the period), n_anchors, anchors, status (none / queued / auto / decided /
--          rejected = its automatic match was rejected),
--          confidence (0-1), method, evidence, candidates (JSON list: kind, reg_id, name,
--          postcode, legal_form, status, score), decision, location_method, postcode, rank
WITH sp AS (
    SELECT m.supplier_id, sum(m.spend_gbp) AS spend_gbp, list(DISTINCT m.anchor_id) AS anchor_list
    FROM mart_spend_supplier m
    WHERE list_contains($scope_anchor_ids, m.anchor_id) AND m.supplier_id <> -1
      AND m.financial_year BETWEEN $fy_from AND $fy_to
    GROUP BY m.supplier_id
),
k AS (
    SELECT r.name_norm, min(r.name) AS payee, sum(sp.spend_gbp) AS spend_gbp,
           list_sort(list_distinct(flatten(list(sp.anchor_list)))) AS anchor_list,   -- one payee may be several supplier ids
           any_value(r.decision) AS decision, any_value(g.location_method) AS location_method,
           bool_or(r.match_kind IS NOT NULL) AS linked,
           any_value(g.postcode) AS postcode
    FROM sp
    JOIN supplier_resolved r ON r.supplier_id = sp.supplier_id
    LEFT JOIN supplier_geo g ON g.supplier_id = sp.supplier_id
    WHERE NOT r.is_individual AND r.name_norm <> ''
    GROUP BY r.name_norm
)
SELECT k.name_norm, k.payee, k.spend_gbp, len(k.anchor_list) AS n_anchors, array_to_string(k.anchor_list, ', ') AS anchors,
       CASE WHEN k.decision IS NOT NULL AND k.decision <> 'clear' THEN 'decided'
            WHEN sm.status = 'auto' AND NOT k.linked THEN 'rejected'     -- its automatic match was rejected
            ELSE coalesce(sm.status, 'none') END AS status,
       sm.confidence, sm.method, sm.evidence, sm.candidates, k.decision, k.location_method, k.postcode,
       row_number() OVER (ORDER BY k.spend_gbp DESC, k.name_norm) AS rank
FROM k
LEFT JOIN supplier_match sm ON sm.name_norm = k.name_norm
WHERE ($include_decided OR ((k.decision IS NULL OR k.decision = 'clear')
                            AND (coalesce(sm.status, 'none') <> 'auto' OR NOT k.linked)))
  AND ($search = '' OR contains(lower(k.payee), lower($search)))
ORDER BY k.spend_gbp DESC, k.name_norm;
