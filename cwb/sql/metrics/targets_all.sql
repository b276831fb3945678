-- targets_all: every target of the network and its anchors for one financial year.
-- params: $network_id, $fy
-- returns: indicator, scope_type, scope_id ('_all' for the network), target_value, direction
SELECT t.indicator, t.scope_type,
       CASE WHEN t.scope_type = 'network' THEN '_all' ELSE t.scope_id END AS scope_id,
       t.target_value, t.direction
FROM target t
WHERE t.financial_year = $fy
  AND ((t.scope_type = 'network' AND t.scope_id = $network_id)
       OR (t.scope_type = 'anchor' AND t.scope_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)))
ORDER BY 1, 2, 3;
