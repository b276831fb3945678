-- targets: targets for an indicator, for the network and its anchors.
-- params: $network_id, $indicator
-- returns: scope_type, scope_id ('_all' for the network), financial_year, target_value, direction
SELECT t.scope_type,
       CASE WHEN t.scope_type = 'network' THEN '_all' ELSE t.scope_id END AS scope_id,
       t.financial_year, t.target_value, t.direction
FROM target t
WHERE t.indicator = $indicator
  AND ((t.scope_type = 'network' AND t.scope_id = $network_id)
       OR (t.scope_type = 'anchor' AND t.scope_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)))
ORDER BY 1, 2, 3;
