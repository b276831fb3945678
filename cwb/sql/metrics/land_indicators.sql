-- land_indicators: the headline land indicators per anchor and for the set ('_all') in each
-- financial year from $fy_from to $fy_to, every site counted by its status as at that year (its
-- latest recorded status up to then; a site with none is 'not recorded' and held).
-- params: $network_id, $anchor_ids (list, empty = every anchor of the network), $fy_from, $fy_to,
--         $imd_edition
-- returns: anchor_id, financial_year, sites_held (C1: not disposed or transferred),
--          area_ha_held, floor_area_m2_held, sites_idle (C2: surplus, vacant or under-used),
--          area_ha_idle, sites_community (C5: in community use), area_ha_community,
--          floor_area_m2_community, sites_transferred (C4: transferred to date),
--          area_ha_transferred, sites_community_or_transferred (C5 + C4), sites_deprived (C9:
--          held sites in IMD decile 1-2 LSOAs), area_ha_deprived, sites_imd_known (held sites
--          with a decile), deprived_pct (C9, % of sites_imd_known), sites_total (every site),
--          area_ha_total (hectares of every site)
WITH years AS (
    SELECT printf('%d-%02d', y, (y + 1) % 100) AS financial_year
    FROM range(fy_start($fy_from), fy_start($fy_to) + 1) t(y)
),
a AS (
    SELECT a.asset_id, a.anchor_id, a.area_ha, a.floor_area_m2,
           CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END AS decile
    FROM asset a
    LEFT JOIN asset_geo g USING (asset_id)
    WHERE a.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
      AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, a.anchor_id))
),
st AS (
    SELECT y.financial_year, ay.asset_id, arg_max(ay.status, ay.financial_year) AS status
    FROM years y
    JOIN asset_year ay ON ay.financial_year <= y.financial_year
    WHERE ay.asset_id IN (SELECT asset_id FROM a)
    GROUP BY ALL
),
s AS (
    SELECT y.financial_year, a.*, coalesce(st.status, 'not recorded') AS status,
           coalesce(st.status, 'not recorded') NOT IN ('disposed', 'transferred') AS held
    FROM years y
    CROSS JOIN a
    LEFT JOIN st ON st.asset_id = a.asset_id AND st.financial_year = y.financial_year
)
SELECT coalesce(anchor_id, '_all') AS anchor_id, financial_year,
       count(*) FILTER (WHERE held) AS sites_held,
       round(coalesce(sum(area_ha) FILTER (WHERE held), 0), 3) AS area_ha_held,
       round(sum(floor_area_m2) FILTER (WHERE held), 0) AS floor_area_m2_held,
       count(*) FILTER (WHERE status IN ('surplus', 'vacant', 'under-used')) AS sites_idle,
       round(coalesce(sum(area_ha) FILTER (WHERE status IN ('surplus', 'vacant', 'under-used')), 0), 3) AS area_ha_idle,
       count(*) FILTER (WHERE status = 'community use') AS sites_community,
       round(coalesce(sum(area_ha) FILTER (WHERE status = 'community use'), 0), 3) AS area_ha_community,
       round(coalesce(sum(floor_area_m2) FILTER (WHERE status = 'community use'), 0), 0) AS floor_area_m2_community,
       count(*) FILTER (WHERE status = 'transferred') AS sites_transferred,
       round(coalesce(sum(area_ha) FILTER (WHERE status = 'transferred'), 0), 3) AS area_ha_transferred,
       count(*) FILTER (WHERE status IN ('community use', 'transferred')) AS sites_community_or_transferred,
       count(*) FILTER (WHERE held AND decile <= 2) AS sites_deprived,
       round(coalesce(sum(area_ha) FILTER (WHERE held AND decile <= 2), 0), 3) AS area_ha_deprived,
       count(*) FILTER (WHERE held AND decile IS NOT NULL) AS sites_imd_known,
       round(100.0 * count(*) FILTER (WHERE held AND decile <= 2)
             / nullif(count(*) FILTER (WHERE held AND decile IS NOT NULL), 0), 2) AS deprived_pct,
       count(*) AS sites_total,
       round(coalesce(sum(area_ha), 0), 3) AS area_ha_total
FROM s
GROUP BY GROUPING SETS ((anchor_id, financial_year), (financial_year))
ORDER BY 1, 2;
