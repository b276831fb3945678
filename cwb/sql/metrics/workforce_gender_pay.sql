-- workforce_gender_pay: statutory gender pay gap returns (B13), by anchor and year.
-- params: $network_id, $anchor_ids, $fy_from, $fy_to
-- returns: anchor_id, financial_year, gpg_mean_pct, gpg_median_pct
SELECT anchor_id, financial_year, gpg_mean_pct, gpg_median_pct
FROM workforce_anchor
WHERE anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
  AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, anchor_id))
  AND financial_year BETWEEN $fy_from AND $fy_to
ORDER BY 1, 2;
