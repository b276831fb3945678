-- workforce_indicators: raw staff counts behind B1-B14 per anchor and for the set ('_all'),
-- per financial year (staff in post at 31 March). Counts only; cwb.privacy protects them
-- before anything is shown (cwb.workforce.protected_indicators).
-- params: $network_id, $anchor_ids (list, empty = every anchor of the network), $fy_from, $fy_to, $local_lads, $imd_edition
-- returns: anchor_id, financial_year, headcount (people), fte (full-time equivalents),
--          local_headcount (home area in the local LADs; LSOA, MSOA or LAD rows),
--          deprived_headcount (home LSOA in IMD decile 1-2), imd_known_headcount (home LSOA with
--          a decile), adult_headcount (18+, denominator of B5), paid_rlw, apprentices,
--          apprentice_starts, entry_hires, entry_hires_local, entry_hires_deprived, insecure,
--          unknown_area_headcount (home area not resolved) — all counts of people
WITH w AS (
    SELECT w.*, g.lad_code,
           CASE WHEN $imd_edition = '2025' THEN g.imd2025_decile ELSE g.imd2019_decile END AS decile
    FROM workforce_area w
    LEFT JOIN workforce_geo g USING (area_level, area_code)
    WHERE w.anchor_id IN (SELECT anchor_id FROM anchor WHERE network_id = $network_id)
      AND (len($anchor_ids) = 0 OR list_contains($anchor_ids, w.anchor_id))
      AND w.financial_year BETWEEN $fy_from AND $fy_to
)
SELECT coalesce(anchor_id, '_all') AS anchor_id,
       financial_year,
       sum(headcount) AS headcount,
       sum(fte) AS fte,
       coalesce(sum(headcount) FILTER (WHERE list_contains($local_lads, lad_code)), 0) AS local_headcount,
       coalesce(sum(headcount) FILTER (WHERE decile <= 2), 0) AS deprived_headcount,
       coalesce(sum(headcount) FILTER (WHERE decile IS NOT NULL), 0) AS imd_known_headcount,
       sum(adult_headcount) AS adult_headcount,
       sum(paid_rlw) AS paid_rlw,
       sum(apprentices) AS apprentices,
       sum(apprentice_starts) AS apprentice_starts,
       sum(entry_hires) AS entry_hires,
       coalesce(sum(entry_hires) FILTER (WHERE list_contains($local_lads, lad_code)), 0) AS entry_hires_local,
       coalesce(sum(entry_hires) FILTER (WHERE decile <= 2), 0) AS entry_hires_deprived,
       sum(insecure) AS insecure,
       coalesce(sum(headcount) FILTER (WHERE lad_code IS NULL), 0) AS unknown_area_headcount
FROM w
GROUP BY GROUPING SETS ((anchor_id, financial_year), (financial_year))
ORDER BY 1, 2;
