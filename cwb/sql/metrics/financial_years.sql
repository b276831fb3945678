-- financial_years: financial years with any data in the network (payments, staff or sites).
-- params: $network_id
-- returns: financial_year
SELECT DISTINCT financial_year FROM (
    SELECT m.financial_year FROM mart_spend_month m JOIN anchor a USING (anchor_id) WHERE a.network_id = $network_id
    UNION ALL
    SELECT w.financial_year FROM workforce_area w JOIN anchor a USING (anchor_id) WHERE a.network_id = $network_id
    UNION ALL
    SELECT y.financial_year FROM asset_year y JOIN asset s USING (asset_id) JOIN anchor a USING (anchor_id)
    WHERE a.network_id = $network_id
)
ORDER BY financial_year;
