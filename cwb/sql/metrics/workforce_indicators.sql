-- workforce_indicators: raw staff counts behind B1-B14 per anchor and for the set ('_all'),
-- per financial year (staff in post at 31 March). Counts only; cwb.privacy protects them
-- before anything is shown.
-- params: $anchor_ids (list, empty = all), $fy_from, $fy_to, $local_lads, $imd_edition
-- returns: anchor_id, financial_year, headcount, fte, local_headcount (home LSOA in the local
--          area), deprived_headcount (home LSOA in IMD decile 1-2), imd_known_headcount,
--          adult_headcount, paid_rlw, apprentices, apprentice_starts, entry_hires,
--          entry_hires_local, entry_hires_deprived, insecure, unknown_area_headcount
SELECT coalesce(w.anchor_id, '_all') AS anchor_id,
       w.financial_year,
       sum(w.headcount) AS headcount,
       sum(w.fte) AS fte,
       coalesce(sum(w.headcount) FILTER (WHERE list_contains($local_lads, l.lad_code)), 0) AS local_headcount,
       coalesce(sum(w.headcount) FILTER (WHERE (CASE WHEN $imd_edition = '2025' THEN l.imd2025_decile ELSE l.imd2019_decile END) <= 2), 0) AS deprived_headcount,
       coalesce(sum(w.headcount) FILTER (WHERE (CASE WHEN $imd_edition = '2025' THEN l.imd2025_decile ELSE l.imd2019_decile END) IS NOT NULL), 0) AS imd_known_headcount,
       sum(w.adult_headcount) AS adult_headcount,
       sum(w.paid_rlw) AS paid_rlw,
       sum(w.apprentices) AS apprentices,
       sum(w.apprentice_starts) AS apprentice_starts,
       sum(w.entry_hires) AS entry_hires,
       coalesce(sum(w.entry_hires) FILTER (WHERE list_contains($local_lads, l.lad_code)), 0) AS entry_hires_local,
       coalesce(sum(w.entry_hires) FILTER (WHERE (CASE WHEN $imd_edition = '2025' THEN l.imd2025_decile ELSE l.imd2019_decile END) <= 2), 0) AS entry_hires_deprived,
       sum(w.insecure) AS insecure,
       coalesce(sum(w.headcount) FILTER (WHERE l.lsoa11 IS NULL), 0) AS unknown_area_headcount
FROM workforce_area w
LEFT JOIN ref_lsoa l ON w.area_level = 'lsoa11' AND l.lsoa11 = w.area_code
WHERE (len($anchor_ids) = 0 OR list_contains($anchor_ids, w.anchor_id))
  AND w.financial_year BETWEEN $fy_from AND $fy_to
GROUP BY GROUPING SETS ((w.anchor_id, w.financial_year), (w.financial_year))
ORDER BY 1, 2;
