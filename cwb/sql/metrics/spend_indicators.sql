-- spend_indicators: the headline spend indicators (A1-A5, A7, A8, A10-A12, X1 location
-- completeness) per financial year, for each anchor and for the chosen set as a whole
-- (anchor_id = '_all'; spend-weighted sums, never an average of percentages).
-- params: $network_id, $anchor_ids (list, empty = every anchor of the network), $fy_from, $fy_to, $denominator, $top_n,
--         $local_lads (list), $wider_lads (list), $region_code, $imd_edition
-- returns: anchor_id, financial_year, spend_gbp (A1), local_gbp, rest_wider_gbp,
--          rest_region_gbp, rest_uk_gbp, unknown_gbp (A4 bands, sum = spend_gbp),
--          wider_gbp (A3 numerator), leakage_gbp (A5), sme_gbp, sme_known_gbp, local_sme_gbp,
--          vcse_gbp, local_vcse_gbp, vcse_known_gbp, social_gbp, deprived_gbp (IMD decile 1-2),
--          imd_known_gbp, located_gbp, n_suppliers, n_payments, and *_pct shares of spend_gbp
WITH c AS (
    SELECT * FROM spend_classified($network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n,
                                   $local_lads, $wider_lads, $region_code, $imd_edition)
),
per_anchor AS (
    SELECT anchor_id,
           financial_year,
           sum(spend_gbp) AS spend_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE band = 'local'), 0) AS local_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE band = 'wider'), 0) AS rest_wider_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE band = 'region'), 0) AS rest_region_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE band = 'uk'), 0) AS rest_uk_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE band = 'unknown'), 0) AS unknown_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE is_sme), 0) AS sme_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE is_sme IS NOT NULL), 0) AS sme_known_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE is_sme AND band = 'local'), 0) AS local_sme_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE is_vcse), 0) AS vcse_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE is_vcse AND band = 'local'), 0) AS local_vcse_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE is_vcse IS NOT NULL), 0) AS vcse_known_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE is_social_economy), 0) AS social_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE imd_decile <= 2), 0) AS deprived_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE imd_decile IS NOT NULL), 0) AS imd_known_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE located), 0) AS located_gbp,
           count(DISTINCT supplier_id) FILTER (WHERE supplier_id <> -1) AS n_suppliers,
           sum(n_payments) AS n_payments
    FROM c
    GROUP BY anchor_id, financial_year
),
-- the set as a whole: sums of the anchors' sums (spend-weighted); suppliers counted once
whole AS (
    SELECT '_all' AS anchor_id, financial_year,
           sum(spend_gbp) AS spend_gbp, sum(local_gbp) AS local_gbp, sum(rest_wider_gbp) AS rest_wider_gbp,
           sum(rest_region_gbp) AS rest_region_gbp, sum(rest_uk_gbp) AS rest_uk_gbp, sum(unknown_gbp) AS unknown_gbp,
           sum(sme_gbp) AS sme_gbp, sum(sme_known_gbp) AS sme_known_gbp, sum(local_sme_gbp) AS local_sme_gbp,
           sum(vcse_gbp) AS vcse_gbp, sum(local_vcse_gbp) AS local_vcse_gbp, sum(vcse_known_gbp) AS vcse_known_gbp,
           sum(social_gbp) AS social_gbp, sum(deprived_gbp) AS deprived_gbp, sum(imd_known_gbp) AS imd_known_gbp,
           sum(located_gbp) AS located_gbp,
           (SELECT count(DISTINCT c2.supplier_id) FROM c c2
             WHERE c2.financial_year = per_anchor.financial_year AND c2.supplier_id <> -1) AS n_suppliers,
           sum(n_payments) AS n_payments
    FROM per_anchor
    GROUP BY financial_year
),
agg AS (
    SELECT * FROM per_anchor
    UNION ALL
    SELECT * FROM whole
)
SELECT *,
       local_gbp + rest_wider_gbp AS wider_gbp,
       spend_gbp - local_gbp AS leakage_gbp,
       round(100 * local_gbp / nullif(spend_gbp, 0), 4) AS local_pct,
       round(100 * (local_gbp + rest_wider_gbp) / nullif(spend_gbp, 0), 4) AS wider_pct,
       round(100 * rest_region_gbp / nullif(spend_gbp, 0), 4) AS rest_region_pct,
       round(100 * rest_uk_gbp / nullif(spend_gbp, 0), 4) AS rest_uk_pct,
       round(100 * unknown_gbp / nullif(spend_gbp, 0), 4) AS unknown_pct,
       round(100 * rest_wider_gbp / nullif(spend_gbp, 0), 4) AS rest_wider_pct,
       round(100 * sme_gbp / nullif(spend_gbp, 0), 4) AS sme_pct,
       round(100 * local_sme_gbp / nullif(spend_gbp, 0), 4) AS local_sme_pct,
       round(100 * vcse_gbp / nullif(spend_gbp, 0), 4) AS vcse_pct,
       round(100 * local_vcse_gbp / nullif(spend_gbp, 0), 4) AS local_vcse_pct,
       round(100 * social_gbp / nullif(spend_gbp, 0), 4) AS social_pct,
       CASE WHEN imd_known_gbp > 0 THEN round(100 * deprived_gbp / nullif(spend_gbp, 0), 4) END AS deprived_pct,
       round(100 * located_gbp / nullif(spend_gbp, 0), 4) AS located_pct,
       round(100 * sme_known_gbp / nullif(spend_gbp, 0), 4) AS sme_known_pct
FROM agg
ORDER BY anchor_id, financial_year;
