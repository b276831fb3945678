-- lads: local authority districts for the geography pickers.
-- params: none
-- returns: lad_code, lad_name, county_code, county_name, region_code, region_name
SELECT lad_code, lad_name, county_code, county_name, region_code, region_name
FROM ref_lad
WHERE lad_name IS NOT NULL AND lad_code NOT LIKE '%99999999'
ORDER BY lad_name;
