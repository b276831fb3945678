-- located_by_method: spend by how its supplier was located (the anchor's supplier list, the
-- payment file, Companies House registered office, a charity register, by hand, not located),
-- with the register snapshot dates behind it. Not supplier-level (safe for every role).
-- params: $anchor_ids (list, empty = all), $fy
-- returns: method, spend_gbp (£), pct (% of the anchors' spend in $fy), n_suppliers, snapshot
--          (register snapshot dates used, text; NULL for the anchor's own data)
WITH m AS (
    SELECT coalesce(CASE WHEN m.located THEN m.location_method END,
                    CASE WHEN m.is_individual THEN 'not located (individual)' ELSE 'not located' END) AS method,
           m.supplier_id, m.spend_gbp
    FROM mart_spend_supplier m
    WHERE (len($anchor_ids) = 0 OR list_contains($anchor_ids, m.anchor_id)) AND m.financial_year = $fy
)
SELECT m.method, sum(m.spend_gbp) AS spend_gbp,
       round(100 * sum(m.spend_gbp) / nullif(sum(sum(m.spend_gbp)) OVER (), 0), 2) AS pct,
       count(DISTINCT m.supplier_id) FILTER (WHERE m.supplier_id <> -1) AS n_suppliers,
       string_agg(DISTINCT strftime(r.register_snapshot, '%Y-%m-%d'), ', ') AS snapshot
FROM m
LEFT JOIN supplier_resolved r ON r.supplier_id = m.supplier_id
     AND m.method IN ('Companies House registered office', 'charity register', 'FCA Mutuals Public Register', 'public body register')
GROUP BY m.method
ORDER BY spend_gbp DESC;
