-- spend_by_month: spend per anchor and calendar month (months with no rows are absent:
-- the page draws them as gaps, never as zero).
-- params: $network_id, $anchor_ids, $fy_from, $fy_to
-- returns: anchor_id, month (first day), financial_year, spend_gbp, n_payments
SELECT anchor_id, month, financial_year, spend_gbp, n_payments
FROM mart_spend_month
WHERE anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
  AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, anchor_id))
  AND financial_year BETWEEN $fy_from AND $fy_to
ORDER BY anchor_id, month;
