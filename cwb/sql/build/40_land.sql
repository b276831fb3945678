-- 40_land: each site's area (from its postcode) and deprivation, and its status as at each
-- financial year it has a record for.
CREATE OR REPLACE TABLE asset_geo AS
SELECT a.asset_id, p.lsoa11, coalesce(p.lad25, p.lad22) AS lad_code,
       l.imd2019_decile, l.imd2025_decile
FROM asset a
LEFT JOIN ref_postcode p ON p.pcd_key = pcd_key(a.postcode)
LEFT JOIN ref_lsoa l ON l.lsoa11 = p.lsoa11;
