-- map_area_centres: a point for areas that have no boundary in the reference cache (the
-- boundaries cover England and Wales; Scottish and Northern Irish areas are drawn as circles).
-- params: $area_level ('lsoa11' | 'msoa11' | 'lad'), $codes (list)
-- returns: area_code, lat, lon (the mean position of the area's live postcodes), n_postcodes
WITH p AS (
    SELECT CASE $area_level WHEN 'lsoa11' THEN lsoa11 WHEN 'msoa11' THEN msoa11 ELSE coalesce(lad25, lad22) END AS area_code,
           lat, lon
    FROM ref_postcode
    WHERE NOT terminated AND lat IS NOT NULL AND lon IS NOT NULL
)
SELECT area_code, avg(lat) AS lat, avg(lon) AS lon, count(*) AS n_postcodes
FROM p
WHERE list_contains($codes, area_code)
GROUP BY area_code
ORDER BY area_code;
