-- 20_marts: pre-aggregated facts the spend pages read (rebuilt after every import).

-- spend by anchor x financial year x supplier x category x influenceable, with the supplier's
-- location and flags carried along (denormalised once here so queries need no joins)
CREATE OR REPLACE TABLE mart_spend_supplier AS
WITH m AS (
    SELECT anchor_id,
           fin_year(payment_date)           AS financial_year,
           coalesce(supplier_id, -1)        AS supplier_id,   -- -1: payee not matched
           coalesce(category, 'Uncategorised') AS category,
           influenceable,
           sum(amount_gbp)                  AS spend_gbp,
           count(*)                         AS n_payments
    FROM payment
    GROUP BY anchor_id, fin_year(payment_date), coalesce(supplier_id, -1),
             coalesce(category, 'Uncategorised'), influenceable
)
SELECT m.* REPLACE (m.influenceable AND NOT coalesce(s.is_public_body, false) AS influenceable),  -- payments to public bodies are not influenceable
       coalesce(g.located, false) AND coalesce(g.country, 'UK') = 'UK' AS located,
       g.lad_code, g.lsoa11, g.msoa11, g.region_code, g.lat, g.lon,
       g.imd2019_decile, g.imd2025_decile,
       s.is_sme, s.is_vcse, s.is_social_economy, coalesce(s.is_individual, false) AS is_individual,
       g.location_method
FROM m
LEFT JOIN supplier_geo g ON g.supplier_id = m.supplier_id
LEFT JOIN supplier_resolved s ON s.supplier_id = m.supplier_id   -- flags: own, else from registers
ORDER BY m.financial_year, m.anchor_id;

-- spend by anchor x calendar month (completeness and monthly trend; months absent = no data)
CREATE OR REPLACE TABLE mart_spend_month AS
SELECT anchor_id,
       CAST(date_trunc('month', payment_date) AS DATE) AS month,
       fin_year(payment_date) AS financial_year,
       sum(amount_gbp)        AS spend_gbp,
       count(*)               AS n_payments
FROM payment
GROUP BY ALL;

-- invoice-to-payment days, where invoice dates exist (A17 prompt payment)
CREATE OR REPLACE TABLE mart_payment_days AS
SELECT anchor_id,
       fin_year(payment_date) AS financial_year,
       count(*) AS n_invoices,
       count(*) FILTER (WHERE payment_date - invoice_date <= 30) AS n_within_30,
       count(*) FILTER (WHERE payment_date - invoice_date BETWEEN 31 AND 60) AS n_31_60,
       count(*) FILTER (WHERE payment_date - invoice_date > 60) AS n_over_60,
       sum(payment_date - invoice_date) AS total_days
FROM payment
WHERE invoice_date IS NOT NULL AND invoice_date <= payment_date
GROUP BY ALL;
