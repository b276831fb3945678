-- workforce_by_area: staff headcount by home area (raw counts; cwb.privacy hides small areas).
-- params: $anchor_ids, $fy, $area_level ('lsoa11' | 'msoa11' | 'lad'), $imd_edition
-- returns: area_code, headcount, imd_decile (LSOA level only)
SELECT CASE $area_level WHEN 'lsoa11' THEN l.lsoa11 WHEN 'msoa11' THEN l.msoa11 ELSE l.lad_code END AS area_code,
       sum(w.headcount) AS headcount,
       CASE WHEN $area_level = 'lsoa11' THEN max(CASE WHEN $imd_edition = '2025' THEN l.imd2025_decile ELSE l.imd2019_decile END) END AS imd_decile
FROM workforce_area w
JOIN ref_lsoa l ON w.area_level = 'lsoa11' AND l.lsoa11 = w.area_code
WHERE (len($anchor_ids) = 0 OR list_contains($anchor_ids, w.anchor_id))
  AND w.financial_year = $fy
GROUP BY 1
ORDER BY headcount DESC;
