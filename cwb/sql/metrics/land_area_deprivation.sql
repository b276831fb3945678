-- land_area_deprivation: the IMD decile of every LSOA 2011 in the given districts (the optional
-- deprivation layer under the site map).
-- params: $lads (list of LAD codes), $imd_edition
-- returns: area_code (LSOA 2011), imd_decile (1 = most deprived 10 %)
SELECT lsoa11 AS area_code,
       CASE WHEN $imd_edition = '2025' THEN imd2025_decile ELSE imd2019_decile END AS imd_decile
FROM ref_lsoa
WHERE list_contains($lads, lad_code)
  AND (CASE WHEN $imd_edition = '2025' THEN imd2025_decile ELSE imd2019_decile END) IS NOT NULL;
