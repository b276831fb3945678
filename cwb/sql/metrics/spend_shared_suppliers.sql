-- spend_shared_suppliers: suppliers paid by two or more anchors of the network (X6), the
-- joint-procurement opportunities. Counts and totals only: no anchor's own split is shown.
-- params: $network_id, $fy_from, $fy_to, $local_lads
-- returns: n_shared_suppliers, shared_spend_gbp, shared_local_gbp, network_spend_gbp,
--          shared_pct (of network spend), by_n_anchors (list of structs n_anchors, suppliers, spend)
WITH s AS (
    SELECT m.supplier_id, count(DISTINCT m.anchor_id) AS n_anchors, sum(m.spend_gbp) AS spend_gbp
    FROM mart_spend_supplier m JOIN anchor a ON a.anchor_id = m.anchor_id AND a.network_id = $network_id
    WHERE m.financial_year BETWEEN $fy_from AND $fy_to AND m.supplier_id <> -1
    GROUP BY m.supplier_id
),
tot AS (
    SELECT sum(m.spend_gbp) AS network_spend_gbp
    FROM mart_spend_supplier m JOIN anchor a ON a.anchor_id = m.anchor_id AND a.network_id = $network_id
    WHERE m.financial_year BETWEEN $fy_from AND $fy_to
)
SELECT count(*) FILTER (WHERE n_anchors >= 2) AS n_shared_suppliers,
       coalesce(sum(spend_gbp) FILTER (WHERE n_anchors >= 2), 0) AS shared_spend_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE n_anchors >= 2 AND list_contains($local_lads, g.lad_code)), 0) AS shared_local_gbp,
       any_value(tot.network_spend_gbp) AS network_spend_gbp,
       round(100 * coalesce(sum(spend_gbp) FILTER (WHERE n_anchors >= 2), 0) / nullif(any_value(tot.network_spend_gbp), 0), 4) AS shared_pct
FROM s LEFT JOIN supplier_geo g USING (supplier_id), tot;
