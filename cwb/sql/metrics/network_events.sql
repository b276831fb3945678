-- network_events: changes of method, membership or data source that a trend must flag.
-- params: $network_id
-- returns: financial_year, kind, note
SELECT financial_year, kind, note FROM network_event WHERE network_id = $network_id
UNION ALL
SELECT joined_fy, 'membership', name || ' joined the network' FROM anchor
WHERE network_id = $network_id AND joined_fy IS NOT NULL
ORDER BY 1, 2;
