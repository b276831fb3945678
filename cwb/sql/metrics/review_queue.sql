-- review_queue: payees to check by hand, largest spend first (the top 300 first, as CLES does):
-- no automatic match, or a match below the threshold, and no reviewer's decision yet.
-- Supplier-level: only anchors in $scope_anchor_ids contribute. Individuals never appear.
-- params: $scope_anchor_ids (list), $fy_from, $fy_to, $include_decided (boolean: also decided
--         and automatically matched payees), $search (text, '' = all),
--         $row_limit (the first N rows by rank; 0 = every row)
-- returns: name_norm (the payee key decisions are stored under), payee (name as published),
--          spend_gbp (£ in the period), n_anchors, anchors, status (none / queued / auto / decided /
--          rejected = its automatic match was rejected),
--          confidence (0-1), method, evidence, candidates (JSON list: kind, reg_id, name,
--          postcode, legal_form, status, score), decision, location_method, postcode, rank,
--          n_rows (rows before $row_limit)
-- Speed (issue 15): spend is summed as numbers; the paying anchors' list, the match's evidence
-- and candidates are joined to the rows kept after $row_limit (a national network's queue has
-- 100,000s of payees; the page shows 300).
WITH sp AS (
    SELECT m.supplier_id, sum(m.spend_gbp) AS spend_gbp
    FROM mart_spend_supplier m
    WHERE list_contains($scope_anchor_ids, m.anchor_id) AND m.supplier_id <> -1
      AND m.financial_year BETWEEN $fy_from AND $fy_to
    GROUP BY m.supplier_id
),
k AS (
    SELECT r.name_norm, min(r.name) AS payee, sum(sp.spend_gbp) AS spend_gbp,
           any_value(r.decision) AS decision,
           bool_or(r.match_kind IS NOT NULL) AS linked
    FROM sp
    JOIN supplier_resolved r ON r.supplier_id = sp.supplier_id
    WHERE NOT r.is_individual AND r.name_norm <> ''
    GROUP BY r.name_norm
),
kept AS (
    SELECT k.*, sm.status AS sm_status,
           row_number() OVER (ORDER BY k.spend_gbp DESC, k.name_norm) AS rank,
           count(*) OVER () AS n_rows
    FROM k
    LEFT JOIN supplier_match sm ON sm.name_norm = k.name_norm
    WHERE ($include_decided OR ((k.decision IS NULL OR k.decision = 'clear')
                                AND (coalesce(sm.status, 'none') <> 'auto' OR NOT k.linked)))
      AND ($search = '' OR contains(lower(k.payee), lower($search)))
    ORDER BY rank
    LIMIT CASE WHEN $row_limit > 0 THEN $row_limit END
),
ids AS (     -- the supplier ids of the kept payees (one payee may be several supplier ids)
    SELECT r.supplier_id, r.name_norm
    FROM supplier_resolved r SEMI JOIN kept ON kept.name_norm = r.name_norm
    WHERE NOT r.is_individual
),
paid AS (
    SELECT ids.name_norm, list_sort(list(DISTINCT m.anchor_id)) AS anchor_list,
           -- a payee of several supplier ids: the place of the one paid most (located first),
           -- the same on every call (any_value differed between a short and a long list)
           first(g.location_method ORDER BY g.postcode IS NULL, m.spend_gbp DESC, ids.supplier_id) AS location_method,
           first(g.postcode ORDER BY g.postcode IS NULL, m.spend_gbp DESC, ids.supplier_id) AS postcode
    FROM ids
    JOIN mart_spend_supplier m ON m.supplier_id = ids.supplier_id
    LEFT JOIN supplier_geo g ON g.supplier_id = ids.supplier_id
    WHERE list_contains($scope_anchor_ids, m.anchor_id)
      AND m.financial_year BETWEEN $fy_from AND $fy_to
    GROUP BY ids.name_norm
)
SELECT kept.name_norm, kept.payee, kept.spend_gbp, len(p.anchor_list) AS n_anchors,
       array_to_string(p.anchor_list, ', ') AS anchors,
       CASE WHEN kept.decision IS NOT NULL AND kept.decision <> 'clear' THEN 'decided'
            WHEN kept.sm_status = 'auto' AND NOT kept.linked THEN 'rejected'     -- its automatic match was rejected
            ELSE coalesce(kept.sm_status, 'none') END AS status,
       sm.confidence, sm.method, sm.evidence, sm.candidates, kept.decision, p.location_method, p.postcode,
       kept.rank, kept.n_rows
FROM kept
JOIN paid p ON p.name_norm = kept.name_norm
LEFT JOIN supplier_match sm ON sm.name_norm = kept.name_norm
ORDER BY kept.rank;
