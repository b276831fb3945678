-- spend_concentration: supplier concentration (A14) per anchor and for the set ('_all').
-- params: $network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n
-- returns: anchor_id, spend_gbp, n_suppliers, top10_gbp, top10_pct, top20_gbp, top20_pct,
--          hhi (sum of (share_i * 100)^2, 0-10,000; unmatched payees are left out)
WITH s AS (
    SELECT anchor_id, supplier_id, sum(spend_gbp) AS spend_gbp
    FROM spend_in_scope($network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n)
    WHERE supplier_id <> -1
    GROUP BY anchor_id, supplier_id
),
both_levels AS (
    SELECT anchor_id, supplier_id, spend_gbp FROM s
    UNION ALL
    SELECT '_all' AS anchor_id, supplier_id, sum(spend_gbp) FROM s GROUP BY supplier_id
),
ranked AS (
    SELECT anchor_id, supplier_id, spend_gbp,
           row_number() OVER (PARTITION BY anchor_id ORDER BY spend_gbp DESC, supplier_id) AS rn,
           spend_gbp / nullif(sum(spend_gbp) OVER (PARTITION BY anchor_id), 0) AS share
    FROM both_levels
)
SELECT anchor_id,
       sum(spend_gbp) AS spend_gbp,
       count(*) AS n_suppliers,
       coalesce(sum(spend_gbp) FILTER (WHERE rn <= 10), 0) AS top10_gbp,
       round(100 * coalesce(sum(spend_gbp) FILTER (WHERE rn <= 10), 0) / nullif(sum(spend_gbp), 0), 4) AS top10_pct,
       coalesce(sum(spend_gbp) FILTER (WHERE rn <= 20), 0) AS top20_gbp,
       round(100 * coalesce(sum(spend_gbp) FILTER (WHERE rn <= 20), 0) / nullif(sum(spend_gbp), 0), 4) AS top20_pct,
       round(sum(power(CAST(share AS DOUBLE) * 100, 2)), 2) AS hhi
FROM ranked
GROUP BY anchor_id
ORDER BY anchor_id;
