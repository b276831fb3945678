-- imd_editions: deprivation editions loaded, with the number of LSOAs.
-- params: none
-- returns: edition, n_lsoa
SELECT edition, count(*) AS n_lsoa FROM ref_imd GROUP BY edition ORDER BY edition;
