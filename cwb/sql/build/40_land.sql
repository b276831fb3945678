-- 40_land: each site's LSOA, district and deprivation: from its full postcode, else (a site
-- located by coordinates whose postcode is missing or unknown) from the nearest live postcode
-- within about a kilometre (lsoa_from says which). Sites located only by postcode district
-- get no LSOA: a district spans many areas.
CREATE OR REPLACE TABLE asset_geo AS
WITH by_pc AS (
    SELECT a.asset_id, any_value(p.lsoa11) AS lsoa11, any_value(coalesce(p.lad25, p.lad22)) AS lad_code
    FROM asset a JOIN ref_postcode p ON p.pcd_key = pcd_key(a.postcode)
    WHERE p.lsoa11 IS NOT NULL
    GROUP BY a.asset_id
),
need AS (
    SELECT a.asset_id, a.lat, a.lon,
           CAST(floor(a.lat * 100) AS INTEGER) AS cy, CAST(floor(a.lon * 100) AS INTEGER) AS cx
    FROM asset a
    WHERE a.location_precision = 'coordinates' AND a.lat IS NOT NULL AND a.lon IS NOT NULL
      AND a.asset_id NOT IN (SELECT asset_id FROM by_pc)
),
cells AS (
    SELECT DISTINCT cy + dy AS cy, cx + dx AS cx
    FROM need, range(-1, 2) t1(dy), range(-1, 2) t2(dx)
),
pc AS (
    SELECT p.lat, p.lon, p.lsoa11, coalesce(p.lad25, p.lad22) AS lad_code,
           CAST(floor(p.lat * 100) AS INTEGER) AS cy, CAST(floor(p.lon * 100) AS INTEGER) AS cx
    FROM ref_postcode p
    WHERE p.lat IS NOT NULL AND p.lsoa11 IS NOT NULL AND NOT p.terminated
),
near AS (
    SELECT n.asset_id,
           arg_min(pc.lsoa11, (pc.lat - n.lat) ^ 2 + ((pc.lon - n.lon) * cos(radians(n.lat))) ^ 2) AS lsoa11,
           arg_min(pc.lad_code, (pc.lat - n.lat) ^ 2 + ((pc.lon - n.lon) * cos(radians(n.lat))) ^ 2) AS lad_code
    FROM need n
    JOIN (SELECT pc.* FROM pc JOIN cells USING (cy, cx)) pc
      ON pc.cy BETWEEN n.cy - 1 AND n.cy + 1 AND pc.cx BETWEEN n.cx - 1 AND n.cx + 1
    GROUP BY n.asset_id
),
located AS (
    SELECT asset_id, lsoa11, lad_code, 'postcode' AS lsoa_from FROM by_pc
    UNION ALL
    SELECT asset_id, lsoa11, lad_code, 'nearest postcode to the coordinates' FROM near
)
SELECT a.asset_id, g.lsoa11, g.lad_code, g.lsoa_from,
       l.imd2019_decile, l.imd2025_decile
FROM asset a
LEFT JOIN located g USING (asset_id)
LEFT JOIN ref_lsoa l ON l.lsoa11 = g.lsoa11;
