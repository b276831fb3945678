-- spend_by_category: local share by procurement category (A13), the "opportunity list":
-- categories ranked by spend leaving the local area, with the local suppliers already
-- trading in the category anywhere in the network that year.
-- params: $anchor_ids, $fy_from, $fy_to, $denominator, $top_n, $local_lads, $wider_lads,
--         $region_code, $imd_edition, $network_id
-- returns: category, spend_gbp, local_gbp, leakage_gbp (spend_gbp - local_gbp), local_pct,
--          wider_pct, n_suppliers, n_local_suppliers_in_scope, n_local_suppliers_network
--          (distinct located-local suppliers paid by any network anchor in the period),
--          share_of_leakage_pct
WITH c AS (
    SELECT * FROM spend_classified($network_id, $anchor_ids, $fy_from, $fy_to, $denominator, $top_n,
                                   $local_lads, $wider_lads, $region_code, $imd_edition)
),
net AS (
    SELECT m.category, count(DISTINCT m.supplier_id) AS n_local_suppliers_network
    FROM mart_spend_supplier m
    JOIN anchor a ON a.anchor_id = m.anchor_id AND a.network_id = $network_id
    JOIN supplier_geo g ON g.supplier_id = m.supplier_id
    WHERE m.financial_year BETWEEN $fy_from AND $fy_to
      AND list_contains($local_lads, g.lad_code)
    GROUP BY m.category
),
agg AS (
    SELECT category,
           sum(spend_gbp) AS spend_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE band = 'local'), 0) AS local_gbp,
           coalesce(sum(spend_gbp) FILTER (WHERE band IN ('local', 'wider')), 0) AS wider_gbp,
           count(DISTINCT supplier_id) FILTER (WHERE supplier_id <> -1) AS n_suppliers,
           count(DISTINCT supplier_id) FILTER (WHERE band = 'local') AS n_local_suppliers_in_scope
    FROM c
    GROUP BY category
)
SELECT agg.category, spend_gbp, local_gbp,
       spend_gbp - local_gbp AS leakage_gbp,
       round(100 * local_gbp / nullif(spend_gbp, 0), 4) AS local_pct,
       round(100 * wider_gbp / nullif(spend_gbp, 0), 4) AS wider_pct,
       n_suppliers, n_local_suppliers_in_scope,
       coalesce(net.n_local_suppliers_network, 0) AS n_local_suppliers_network,
       round(100 * (spend_gbp - local_gbp) / nullif(sum(spend_gbp - local_gbp) OVER (), 0), 4)
           AS share_of_leakage_pct
FROM agg
LEFT JOIN net USING (category)
ORDER BY leakage_gbp DESC, agg.category;
