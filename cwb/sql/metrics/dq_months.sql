-- dq_months: months with payments per anchor (X1); a month absent here had no data (not zero).
-- params: $network_id
-- returns: anchor_id, month, spend_gbp, n_payments
SELECT m.anchor_id, m.month, m.spend_gbp, m.n_payments
FROM mart_spend_month m JOIN anchor a USING (anchor_id)
WHERE a.network_id = $network_id
ORDER BY 1, 2;
