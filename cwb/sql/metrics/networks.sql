-- networks: every network with its declared geography.
-- params: none
-- returns: network_id, name, local_lad_codes, wider_lad_codes, region_code, local_name,
--          wider_name, baseline_fy, is_synthetic, region_name
SELECT n.*, l.region_name
FROM network n
LEFT JOIN (SELECT DISTINCT region_code, region_name FROM ref_lad) l USING (region_code)
ORDER BY n.network_id;
