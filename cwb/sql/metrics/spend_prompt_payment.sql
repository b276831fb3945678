-- spend_prompt_payment: prompt payment (A17) where invoice dates exist.
-- params: $network_id, $anchor_ids, $fy_from, $fy_to
-- returns: anchor_id ('_all' = the set), financial_year, n_invoices, within_30_pct,
--          days_31_60_pct, over_60_pct, avg_days
SELECT coalesce(anchor_id, '_all') AS anchor_id, financial_year,
       sum(n_invoices) AS n_invoices,
       round(100 * sum(n_within_30) / nullif(sum(n_invoices), 0), 2) AS within_30_pct,
       round(100 * sum(n_31_60) / nullif(sum(n_invoices), 0), 2) AS days_31_60_pct,
       round(100 * sum(n_over_60) / nullif(sum(n_invoices), 0), 2) AS over_60_pct,
       round(sum(total_days) / nullif(sum(n_invoices), 0), 1) AS avg_days
FROM mart_payment_days
WHERE anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
  AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, anchor_id))
  AND financial_year BETWEEN $fy_from AND $fy_to
GROUP BY GROUPING SETS ((anchor_id, financial_year), (financial_year))
ORDER BY anchor_id, financial_year;
