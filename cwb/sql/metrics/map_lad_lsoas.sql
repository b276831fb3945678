-- map_lad_lsoas: the current (2025) district of every 2011 LSOA, to draw districts made or
-- recoded after the boundary file (e.g. Cumberland, North Yorkshire, Somerset, Barnsley).
-- params: none
-- returns: area_code (LSOA 2011), lad_code (the current district most of its live postcodes are in)
SELECT lsoa11 AS area_code, mode(lad25) AS lad_code
FROM ref_postcode
WHERE NOT terminated AND lsoa11 IS NOT NULL AND lad25 IS NOT NULL
GROUP BY lsoa11
ORDER BY 1;
