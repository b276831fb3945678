-- 41_workforce: where each workforce area sits (staff counts may be held by LSOA 2011, or
-- coarser: MSOA 2011 or local authority district), so that local-area shares (B2, B10) count
-- coarser rows too. Deprivation is known only for LSOA rows, and for pools of small LSOAs
-- (area_level 'group', code 'G:<district>:<decile 2019>:<decile 2025>', made from HR extracts
-- so that no stored cell holds fewer than k staff: the deciles are the highest of the pool's
-- LSOAs, all on the same side of decile 2, X where unknown).
CREATE OR REPLACE TABLE workforce_geo AS
WITH areas AS (SELECT DISTINCT area_level, area_code FROM workforce_area),
msoa AS (SELECT msoa11, mode(lad_code) AS lad_code FROM ref_lsoa WHERE msoa11 IS NOT NULL GROUP BY msoa11)
SELECT a.area_level, a.area_code,
       l.lsoa11,
       CASE a.area_level WHEN 'lsoa11' THEN l.msoa11 WHEN 'msoa11' THEN a.area_code END AS msoa11,
       CASE a.area_level WHEN 'lsoa11' THEN l.lad_code WHEN 'msoa11' THEN m.lad_code
                         WHEN 'lad' THEN a.area_code
                         WHEN 'group' THEN split_part(a.area_code, ':', 2) END AS lad_code,
       CASE WHEN a.area_level = 'group' THEN TRY_CAST(split_part(a.area_code, ':', 3) AS INTEGER)
            ELSE l.imd2019_decile END AS imd2019_decile,
       CASE WHEN a.area_level = 'group' THEN TRY_CAST(split_part(a.area_code, ':', 4) AS INTEGER)
            ELSE l.imd2025_decile END AS imd2025_decile
FROM areas a
LEFT JOIN ref_lsoa l ON a.area_level = 'lsoa11' AND l.lsoa11 = a.area_code
LEFT JOIN msoa m ON a.area_level = 'msoa11' AND m.msoa11 = a.area_code;
