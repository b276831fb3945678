-- map_anchor_sites: where each anchor of a network is based (its main site's postcode), for
-- marking the anchors on the maps. An anchor's own address is public; no supplier or site rows.
-- params: $network_id
-- returns: anchor_id, name, anchor_type, lat, lon (NULL when the address is not found)
SELECT a.anchor_id, a.name, a.anchor_type, p.lat, p.lon
FROM anchor a
LEFT JOIN ref_postcode p ON p.pcd_key = pcd_key(a.site_postcode)
WHERE a.network_id = $network_id
ORDER BY a.anchor_id;
