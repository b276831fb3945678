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
-- Speed (network scale): the 'all' and 'influenceable' denominators read mart_spend_headline
-- (no supplier grain) and the distinct-supplier marts (mart_supplier_count per anchor;
-- mart_network_supplier_count for the whole network, the bit strings of
-- mart_network_supplier_year for some of its anchors); only 'top_n' reads supplier grain.
-- While the bands asked for are the network's own and its anchors those the marts were built
-- for (banded), the sums per anchor and year are read ready-made from mart_network_anchor_year
-- (35_banded_marts.sql: the same sums of the same rows; any set of the network's anchors).
-- Paths (cwb/db.py): each '-- @when' branch serves the views its condition names; cwb.db.run
-- sends DuckDB only those, without the '-- @gate' lines (the same conditions in SQL).
-- @let banded = not top_n and marts_fit and bands_fit
-- @let banded_whole = banded and whole
WITH
-- @when top_n
c AS (   -- supplier grain: the top-N denominator only
    SELECT * FROM spend_classified($network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n,
                                   $local_lads, $wider_lads, $region_code, $imd_edition)
    WHERE $denominator = 'top_n'   -- @gate
),
-- @end
-- @when not banded: the live path (top N, another local area or region, or the network changed)
h AS (
-- @when not top_n: 'all' or 'influenceable': no supplier grain
    SELECT anchor_id, financial_year, spend_gbp, n_payments, located, band, deprived,
           is_sme, is_vcse, is_social_economy
    FROM spend_headline($network_id, $anchor_ids, $fy_from, $fy_to, $denominator,
                        $local_lads, $wider_lads, $region_code, $imd_edition)
    WHERE $denominator <> 'top_n'   -- @gate
-- @or top_n
    SELECT anchor_id, financial_year, spend_gbp, n_payments, located, band, imd_decile <= 2 AS deprived,
           is_sme, is_vcse, is_social_economy
    FROM c
-- @end
),
-- @end
-- @when not banded_whole
-- distinct matched suppliers per anchor-year, and for the set as a whole (counted once)
nsup AS (
-- @when not top_n: each anchor
    SELECT anchor_id, financial_year,
           CASE WHEN $denominator = 'influenceable' THEN n_suppliers_influenceable ELSE n_suppliers END AS n_suppliers
    FROM mart_supplier_count
    WHERE anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
      AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, anchor_id))
      AND financial_year BETWEEN $fy_from AND $fy_to
      AND $denominator <> 'top_n'   -- @gate
-- @or not top_n and whole: the whole network, counted when the marts were built
    SELECT '_all' AS anchor_id, financial_year,
           CASE WHEN $denominator = 'influenceable' THEN n_suppliers_influenceable ELSE n_suppliers END AS n_suppliers
    FROM mart_network_supplier_count
    WHERE network_id = $network_id AND financial_year BETWEEN $fy_from AND $fy_to
      AND $denominator <> 'top_n' AND whole_network($network_id, $anchor_ids)   -- @gate
-- @or not top_n and marts_fit and not whole: some of its anchors, each supplier's bit string against the set's
    SELECT '_all' AS anchor_id, financial_year,
           count(*) FILTER (WHERE bit_count(CASE WHEN $denominator = 'influenceable' THEN influenceable_mask
                                                 ELSE anchor_mask END & anchor_set_mask($network_id, $anchor_ids)) > 0)
               AS n_suppliers
    FROM mart_network_supplier_year
    WHERE network_id = $network_id AND financial_year BETWEEN $fy_from AND $fy_to
      AND $denominator <> 'top_n' AND network_marts_fit($network_id) AND NOT whole_network($network_id, $anchor_ids)   -- @gate
    GROUP BY financial_year
-- @or not top_n and not marts_fit: the network's anchors changed since the marts were built: anchor grain
    SELECT '_all' AS anchor_id, financial_year, count(DISTINCT supplier_id) AS n_suppliers
    FROM mart_spend_supplier
    WHERE anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
      AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, anchor_id))
      AND financial_year BETWEEN $fy_from AND $fy_to
      AND ($denominator <> 'influenceable' OR influenceable)
      AND supplier_id <> -1
      AND $denominator <> 'top_n' AND NOT network_marts_fit($network_id)   -- @gate
    GROUP BY financial_year
-- @or top_n: each anchor and the set
    SELECT CASE WHEN grouping(anchor_id) = 1 THEN '_all' ELSE anchor_id END AS anchor_id, financial_year,
           count(DISTINCT supplier_id) AS n_suppliers
    FROM c
    WHERE supplier_id <> -1
    GROUP BY GROUPING SETS ((anchor_id, financial_year), (financial_year))
-- @end
),
-- @when not banded
-- one row per anchor, year, band and flags: the sums below read a few rows, not every district
hb AS (
    SELECT anchor_id, financial_year, located, band, deprived, is_sme, is_vcse, is_social_economy,
           sum(spend_gbp) AS spend_gbp, sum(n_payments) AS n_payments
    FROM h
    GROUP BY ALL
),
-- @end
per_anchor AS (
-- @when banded: the whole network's bands, summed per anchor and year at build time (35_banded_marts)
    SELECT anchor_id, financial_year, spend_gbp, local_gbp, rest_wider_gbp, rest_region_gbp, rest_uk_gbp,
           unknown_gbp, sme_gbp, sme_known_gbp, local_sme_gbp, vcse_gbp, local_vcse_gbp, vcse_known_gbp,
           social_gbp, deprived_gbp, imd_known_gbp, located_gbp, n_payments
    FROM mart_network_anchor_year
    WHERE network_id = $network_id
      AND denominator = CASE WHEN $denominator = 'influenceable' THEN 'influenceable' ELSE 'all' END
      AND imd_edition = CASE WHEN $imd_edition = '2025' THEN '2025' ELSE '2019' END
      AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, anchor_id))
      AND financial_year BETWEEN $fy_from AND $fy_to
      AND $denominator <> 'top_n' AND network_marts_fit($network_id)   -- @gate
      AND network_bands_fit($network_id, $local_lads, $wider_lads, $region_code)   -- @gate
-- @or not banded
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
           coalesce(sum(spend_gbp) FILTER (WHERE deprived), 0) AS deprived_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE deprived IS NOT NULL), 0) AS imd_known_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE located), 0) AS located_gbp,
           sum(n_payments) AS n_payments
    FROM hb
    WHERE NOT ($denominator <> 'top_n' AND network_marts_fit($network_id)   -- @gate
               AND network_bands_fit($network_id, $local_lads, $wider_lads, $region_code))   -- @gate
    GROUP BY anchor_id, financial_year
-- @end
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
           sum(n_payments) AS n_payments
    FROM per_anchor
    GROUP BY financial_year
),
both_levels AS (
    SELECT * FROM per_anchor
    UNION ALL
    SELECT * FROM whole
),
-- @end
agg AS (
-- @when banded_whole: the whole network in its own bands: every sum made at build time (35_banded_marts)
    SELECT anchor_id, financial_year, spend_gbp, local_gbp, rest_wider_gbp, rest_region_gbp,
           rest_uk_gbp, unknown_gbp, sme_gbp, sme_known_gbp, local_sme_gbp, vcse_gbp,
           local_vcse_gbp, vcse_known_gbp, social_gbp, deprived_gbp, imd_known_gbp, located_gbp,
           n_suppliers, n_payments
    FROM mart_network_headline
    WHERE network_id = $network_id
      AND denominator = CASE WHEN $denominator = 'influenceable' THEN 'influenceable' ELSE 'all' END
      AND imd_edition = CASE WHEN $imd_edition = '2025' THEN '2025' ELSE '2019' END
      AND financial_year BETWEEN $fy_from AND $fy_to
      AND $denominator <> 'top_n' AND whole_network($network_id, $anchor_ids)   -- @gate
      AND network_bands_fit($network_id, $local_lads, $wider_lads, $region_code)   -- @gate
-- @or not banded_whole
    SELECT b.anchor_id, b.financial_year, b.spend_gbp, b.local_gbp, b.rest_wider_gbp, b.rest_region_gbp,
           b.rest_uk_gbp, b.unknown_gbp, b.sme_gbp, b.sme_known_gbp, b.local_sme_gbp, b.vcse_gbp,
           b.local_vcse_gbp, b.vcse_known_gbp, b.social_gbp, b.deprived_gbp, b.imd_known_gbp, b.located_gbp,
           coalesce(n.n_suppliers, 0) AS n_suppliers, b.n_payments
    FROM both_levels b
    LEFT JOIN nsup n USING (anchor_id, financial_year)
    WHERE NOT ($denominator <> 'top_n' AND whole_network($network_id, $anchor_ids)   -- @gate
               AND network_bands_fit($network_id, $local_lads, $wider_lads, $region_code))   -- @gate
-- @end
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
