-- spend_area_names: display names for area codes at a level (for map tooltips and pickers).
-- params: $area_level ('lsoa11' | 'msoa11' | 'lad'), $codes (list)
-- returns: area_code, area_name, lad_name
SELECT DISTINCT
       CASE $area_level WHEN 'lsoa11' THEN p.lsoa11 WHEN 'msoa11' THEN p.msoa11 ELSE coalesce(p.lad25, p.lad22) END AS area_code,
       CASE $area_level WHEN 'lad' THEN l.lad_name
            ELSE l.lad_name || ' ' || CASE $area_level WHEN 'lsoa11' THEN p.lsoa11 ELSE p.msoa11 END END AS area_name,
       l.lad_name
FROM ref_postcode p
JOIN ref_lad l ON l.lad_code = coalesce(p.lad25, p.lad22)
WHERE list_contains($codes, CASE $area_level WHEN 'lsoa11' THEN p.lsoa11 WHEN 'msoa11' THEN p.msoa11 ELSE coalesce(p.lad25, p.lad22) END)
  AND NOT p.terminated;
