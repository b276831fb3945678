-- 20_marts: pre-aggregated facts the spend pages read (rebuilt after every import).

-- spend by anchor x financial year x supplier x category x influenceable, with the supplier's
-- location and flags carried along (denormalised once here so queries need no joins).
-- Two statements: the payments are aggregated into a temporary table first, then joined and
-- sorted. In one statement the sort's input and the aggregate's hash table were held at once
-- and the statement ran out of memory under a 2 GB memory_limit at 10M payments (each part
-- alone spills to the temp folder; bench/bench_scale.py, bench/README.md 'Beyond one machine').
CREATE OR REPLACE TEMP TABLE spend_supplier_agg AS
    SELECT anchor_id,
           fin_year(payment_date)           AS financial_year,
           coalesce(supplier_id, -1)        AS supplier_id,   -- -1: payee not matched
           coalesce(category, 'Uncategorised') AS category,
           influenceable,
           sum(amount_gbp)                  AS spend_gbp,
           count(*)                         AS n_payments
    FROM payment
    GROUP BY anchor_id, fin_year(payment_date), coalesce(supplier_id, -1),
             coalesce(category, 'Uncategorised'), influenceable;

CREATE OR REPLACE TABLE mart_spend_supplier AS
SELECT m.* REPLACE (m.influenceable AND NOT coalesce(s.is_public_body, false) AS influenceable),  -- payments to public bodies are not influenceable
       coalesce(g.located, false) AND coalesce(g.country, 'UK') = 'UK' AS located,
       g.lad_code, g.lsoa11, g.msoa11, g.region_code, g.lat, g.lon,
       g.imd2019_decile, g.imd2025_decile,
       s.is_sme, s.is_vcse, s.is_social_economy, coalesce(s.is_individual, false) AS is_individual,
       g.location_method
FROM spend_supplier_agg m
LEFT JOIN supplier_geo g ON g.supplier_id = m.supplier_id
LEFT JOIN supplier_resolved s ON s.supplier_id = m.supplier_id   -- flags: own, else from registers
ORDER BY m.financial_year, m.anchor_id;

DROP TABLE spend_supplier_agg;

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

-- Headline grain (no supplier): spend by anchor x financial year x influenceable x supplier
-- district and region x location known x deprived-area flag (each IMD edition: decile 1-2 true,
-- 3-10 false, unknown NULL) x SME / VCSE / social-economy flags. What the headline indicators
-- need for the 'all' and 'influenceable' denominators; about 20x fewer rows than
-- mart_spend_supplier at 200,000 suppliers (the top-N denominator still needs supplier grain).
CREATE OR REPLACE TABLE mart_spend_headline AS
SELECT anchor_id, financial_year, influenceable, located, lad_code, region_code,
       imd2019_decile <= 2 AS dep2019,
       imd2025_decile <= 2 AS dep2025,
       is_sme, is_vcse, is_social_economy,
       sum(spend_gbp)  AS spend_gbp,
       sum(n_payments) AS n_payments
FROM mart_spend_supplier
GROUP BY ALL
ORDER BY financial_year, anchor_id;

-- Distinct matched suppliers per anchor and financial year (all spend; influenceable spend):
-- a distinct count over supplier grain is the slowest part of a headline query at scale.
-- Two phases (one row per anchor x year x supplier, then count(*)): a grouped aggregate spills
-- to the temp folder under a memory_limit, count(DISTINCT ...) states do not.
CREATE OR REPLACE TABLE mart_supplier_count AS
WITH s AS (
    SELECT anchor_id, financial_year, supplier_id, bool_or(influenceable) AS any_influenceable
    FROM mart_spend_supplier
    WHERE supplier_id <> -1
    GROUP BY anchor_id, financial_year, supplier_id
)
SELECT anchor_id, financial_year,
       count(*) AS n_suppliers,
       count(*) FILTER (WHERE any_influenceable) AS n_suppliers_influenceable
FROM s
GROUP BY ALL;

-- Each anchor's bit in the anchor masks below (anchor_id order), with its network as it was
-- when the marts were built: the network marts hold the anchors of each network then, so a
-- query uses them only while the network's anchors are still those (network_marts_fit).
CREATE OR REPLACE TABLE anchor_bit AS
SELECT u.anchor_id, a.network_id, CAST(row_number() OVER (ORDER BY u.anchor_id) AS INTEGER) AS pos
FROM (SELECT anchor_id FROM anchor UNION SELECT DISTINCT anchor_id FROM mart_spend_supplier) u
LEFT JOIN anchor a USING (anchor_id);

SET VARIABLE cwb_anchor_bits = (SELECT coalesce(max(pos), 1) FROM anchor_bit);

-- Supplier grain for a whole network (issue 15): each matched supplier per network and financial
-- year, summed over every anchor of the network, with spend and payments per denominator (all;
-- influenceable: NULL spend and 0 payments when none was), the anchors that paid it as bit
-- strings (one bit per anchor in anchor_bit order; all spend and influenceable spend), and its
-- place and flags. What the supplier list, the map and the network's distinct-supplier counts
-- read when the view is the whole network (about 160,000 rows a year at 10M payments against
-- 580,000 anchor x supplier rows); distinct suppliers of any set of the network's anchors are
-- count(*) FILTER (WHERE bit_count(anchor_mask & set_mask) > 0), exact.
CREATE OR REPLACE TABLE mart_network_supplier_year AS
WITH s AS (
    SELECT b.network_id, m.financial_year, m.supplier_id,
           sum(m.spend_gbp)                                   AS spend_gbp,
           sum(m.n_payments)                                  AS n_payments,
           sum(m.spend_gbp) FILTER (WHERE m.influenceable)    AS influenceable_gbp,
           coalesce(sum(m.n_payments) FILTER (WHERE m.influenceable), 0) AS n_payments_influenceable,
           bitstring_agg(b.pos, 1, getvariable('cwb_anchor_bits')) AS anchor_mask,
           bitstring_agg(b.pos, 1, getvariable('cwb_anchor_bits')) FILTER (WHERE m.influenceable) AS influenceable_mask
    FROM mart_spend_supplier m
    JOIN anchor_bit b USING (anchor_id)
    WHERE m.supplier_id <> -1 AND b.network_id IS NOT NULL
    GROUP BY b.network_id, m.financial_year, m.supplier_id
)
SELECT s.*,
       coalesce(g.located, false) AND coalesce(g.country, 'UK') = 'UK' AS located,   -- as mart_spend_supplier
       g.lad_code, g.lsoa11, g.msoa11, g.region_code, g.lat, g.lon,
       g.imd2019_decile, g.imd2025_decile,
       r.is_sme, r.is_vcse, r.is_social_economy, coalesce(r.is_individual, false) AS is_individual
FROM s
LEFT JOIN supplier_geo g ON g.supplier_id = s.supplier_id
LEFT JOIN supplier_resolved r ON r.supplier_id = s.supplier_id
ORDER BY s.network_id, s.financial_year, s.spend_gbp DESC, s.supplier_id;

-- Distinct matched suppliers of each whole network per financial year (all spend; influenceable).
CREATE OR REPLACE TABLE mart_network_supplier_count AS
SELECT network_id, financial_year,
       count(*) AS n_suppliers,
       count(*) FILTER (WHERE n_payments_influenceable > 0) AS n_suppliers_influenceable
FROM mart_network_supplier_year
GROUP BY ALL;

-- Spend and distinct suppliers of each whole network per financial year and area of the
-- suppliers' postcodes (district, MSOA, LSOA), split by district and region (the location band
-- is worked out from them per query), per denominator: the map of one year of the whole network
-- reads a few hundred (districts) to 27,000 (LSOAs) rows. Located suppliers only.
CREATE OR REPLACE TABLE mart_network_area_year AS
SELECT network_id, financial_year, l.area_level,
       CASE l.area_level WHEN 'lsoa11' THEN lsoa11 WHEN 'msoa11' THEN msoa11 ELSE lad_code END AS area_code,
       lad_code, region_code,
       max(imd2019_decile) AS imd2019_decile, max(imd2025_decile) AS imd2025_decile,
       sum(spend_gbp) AS spend_gbp,
       count(*) AS n_suppliers,
       sum(influenceable_gbp) AS influenceable_gbp,
       count(*) FILTER (WHERE n_payments_influenceable > 0) AS n_suppliers_influenceable
FROM mart_network_supplier_year
CROSS JOIN (VALUES ('lad'), ('msoa11'), ('lsoa11')) l(area_level)
WHERE located
GROUP BY ALL
HAVING area_code IS NOT NULL
ORDER BY network_id, financial_year, l.area_level;

-- replaced by mart_network_supplier_year (an older database drops its copy)
DROP TABLE IF EXISTS mart_supplier_year;
