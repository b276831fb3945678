-- workforce_population: the local population and its share living in IMD decile 1-2 LSOAs
-- (denominator of B4), where the IMD file carried population counts.
-- params: $local_lads, $imd_edition
-- returns: population, deprived_population, deprived_pop_pct (NULL when no population loaded)
SELECT sum(CASE WHEN $imd_edition = '2025' THEN pop2025 ELSE pop2019 END) AS population,
       sum(CASE WHEN $imd_edition = '2025' THEN pop2025 ELSE pop2019 END)
           FILTER (WHERE (CASE WHEN $imd_edition = '2025' THEN imd2025_decile ELSE imd2019_decile END) <= 2) AS deprived_population,
       round(100 * sum(CASE WHEN $imd_edition = '2025' THEN pop2025 ELSE pop2019 END)
           FILTER (WHERE (CASE WHEN $imd_edition = '2025' THEN imd2025_decile ELSE imd2019_decile END) <= 2)
           / nullif(sum(CASE WHEN $imd_edition = '2025' THEN pop2025 ELSE pop2019 END), 0), 4) AS deprived_pop_pct
FROM ref_lsoa
WHERE list_contains($local_lads, lad_code);
