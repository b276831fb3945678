-- 10_enrich: locate every supplier once (postcode -> LSOA 2011 / MSOA / LAD / county / region
-- / IMD deciles), so that metric queries never join 2.7M postcodes per click.
-- LAD is the 2025 code where the ONS Postcode Directory (Nov 2025) has the postcode, else the
-- May 2022 code. IMD 2025 is on 2021 LSOAs: reached through ref_lsoa11_lsoa21 when loaded,
-- else through the unchanged code (most LSOAs kept their code in 2021).

CREATE OR REPLACE TABLE supplier_geo AS
WITH pc AS (
    SELECT s.supplier_id,
           s.country, s.location_method, s.register_snapshot,
           p.pcds, p.lsoa11, p.msoa11, coalesce(p.lad25, p.lad22) AS lad_code,
           p.lat, p.lon, p.terminated
    FROM supplier_resolved s   -- 05_registers: the supplier's own values, else register matches
    LEFT JOIN ref_postcode p ON p.pcd_key = pcd_key(s.postcode)
),
l21 AS (
    SELECT lsoa11, min(lsoa21) AS lsoa21 FROM ref_lsoa11_lsoa21 GROUP BY lsoa11
)
SELECT pc.supplier_id,
       pc.country,
       pc.lad_code IS NOT NULL AS located,
       pc.pcds AS postcode,
       pc.lsoa11, pc.msoa11, pc.lad_code,
       l.county_code, l.region_code,
       pc.lat, pc.lon,
       coalesce(pc.terminated, false) AS postcode_terminated,
       i19.imd_decile AS imd2019_decile,
       i25.imd_decile AS imd2025_decile,
       CASE WHEN pc.lad_code IS NOT NULL THEN pc.location_method END AS location_method,
       pc.register_snapshot
FROM pc
LEFT JOIN ref_lad l ON l.lad_code = pc.lad_code
LEFT JOIN ref_imd i19 ON i19.edition = '2019' AND i19.lsoa_code = pc.lsoa11
LEFT JOIN l21 ON l21.lsoa11 = pc.lsoa11
LEFT JOIN ref_imd i25 ON i25.edition = '2025' AND i25.lsoa_code = coalesce(l21.lsoa21, pc.lsoa11);

-- LSOA 2011 -> MSOA 2011 and current LAD (most common among the LSOA's postcodes), with the
-- IMD deciles of both editions (2025 through ref_lsoa11_lsoa21 when loaded, else the same code).
CREATE OR REPLACE TABLE ref_lsoa AS
WITH l AS (
    SELECT lsoa11, mode(msoa11) AS msoa11, mode(coalesce(lad25, lad22)) AS lad_code
    FROM ref_postcode WHERE lsoa11 IS NOT NULL GROUP BY lsoa11
),
l21 AS (SELECT lsoa11, min(lsoa21) AS lsoa21 FROM ref_lsoa11_lsoa21 GROUP BY lsoa11)
SELECT l.lsoa11, l.msoa11, l.lad_code,
       i19.imd_decile AS imd2019_decile, i25.imd_decile AS imd2025_decile,
       i19.population AS pop2019, i25.population AS pop2025
FROM l
LEFT JOIN l21 USING (lsoa11)
LEFT JOIN ref_imd i19 ON i19.edition = '2019' AND i19.lsoa_code = l.lsoa11
LEFT JOIN ref_imd i25 ON i25.edition = '2025' AND i25.lsoa_code = coalesce(l21.lsoa21, l.lsoa11);
