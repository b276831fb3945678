-- workforce_by_area: staff headcount by home area, for the map (raw counts: cwb.privacy merges
-- or hides small areas before anything is drawn).
-- params: $network_id, $anchor_ids, $fy, $area_level ('lsoa11' | 'msoa11' | 'lad'), $imd_edition
-- returns: area_code, area_name (district name and code), parent_code (the MSOA of an LSOA, the
--          district of an MSOA: small areas are merged within it), parent_name, grandparent_code
--          (the district of an LSOA), grandparent_name, headcount (people), imd_decile (LSOA
--          level only)
-- Rows held at a coarser level than the map are left out (an MSOA row is drawn on the MSOA and
-- district maps, not on the LSOA map).
WITH a AS (
    SELECT CASE $area_level WHEN 'lsoa11' THEN g.lsoa11 WHEN 'msoa11' THEN g.msoa11 ELSE g.lad_code END AS area_code,
           any_value(CASE $area_level WHEN 'lsoa11' THEN g.msoa11 WHEN 'msoa11' THEN g.lad_code END) AS parent_code,
           any_value(CASE $area_level WHEN 'lsoa11' THEN g.lad_code END) AS grandparent_code,
           any_value(g.lad_code) AS lad_code,
           sum(w.headcount) AS headcount,
           CASE WHEN $area_level = 'lsoa11'
                THEN max(CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END) END AS imd_decile
    FROM workforce_area w
    JOIN workforce_geo g USING (area_level, area_code)
    WHERE w.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
      AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, w.anchor_id))
      AND w.financial_year = $fy
      AND (CASE $area_level WHEN 'lsoa11' THEN g.lsoa11 WHEN 'msoa11' THEN g.msoa11 ELSE g.lad_code END) IS NOT NULL
    GROUP BY 1
)
SELECT a.area_code,
       CASE WHEN $area_level = 'lad' THEN coalesce(l.lad_name, a.area_code)
            ELSE coalesce(l.lad_name || ' ', '') || a.area_code END AS area_name,
       a.parent_code,
       CASE WHEN $area_level = 'lsoa11' THEN coalesce(l.lad_name || ' ', '') || 'MSOA ' || a.parent_code
            ELSE coalesce(l.lad_name, a.parent_code) END AS parent_name,
       a.grandparent_code,
       coalesce(l.lad_name, a.grandparent_code) AS grandparent_name,
       a.headcount, a.imd_decile
FROM a
LEFT JOIN ref_lad l ON l.lad_code = a.lad_code
ORDER BY a.headcount DESC;
