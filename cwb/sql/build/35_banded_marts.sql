-- 35_banded_marts: the whole-network marts with each network's location bands worked out at build
-- time (issue 15). After 30_macros, so the bands come from the same macro (spend_band) as every
-- query's; rebuilt with the other marts after every import.
--
-- A network's bands are its declared geography (network.local_lad_codes, wider_lad_codes with the
-- local districts, region_code), recorded in mart_band_lists. A query reads these marts only
-- while the bands it is asked for are those (cwb/db.py, flag bands_fit; SQL: network_bands_fit)
-- and the network's anchors those the marts were built for (marts_fit): a method with another
-- local area, a network whose geography changed, or an anchor moved since the build reads the
-- live path, whose figures these are, to the penny (tests/test_banded_marts.py).

-- The bands each network's marts below were built for (sorted, distinct: the band of a district
-- does not depend on the order of the lists, nor on the local districts' also being in the wider).
CREATE OR REPLACE TABLE mart_band_lists AS
SELECT network_id,
       list_sort(list_distinct(local_lad_codes)) AS local_lads,
       list_sort(list_distinct(list_concat(wider_lad_codes, local_lad_codes))) AS wider_lads,
       region_code
FROM network;

-- What the marts of each network were built for, one value a row, for cwb/db.py's path flags (one
-- small read per query with the network's anchors as they are now): kind 'anchor' (anchor_bit's
-- anchors of the network: marts_fit), 'local' / 'wider' (mart_band_lists, sorted), 'region' (one
-- row, also when NULL: bands_fit).
CREATE OR REPLACE TABLE mart_network_built AS
SELECT network_id, 'anchor' AS kind, anchor_id AS value FROM anchor_bit WHERE network_id IS NOT NULL
UNION ALL
SELECT network_id, 'local', unnest(local_lads) FROM mart_band_lists
UNION ALL
SELECT network_id, 'wider', unnest(wider_lads) FROM mart_band_lists
UNION ALL
SELECT network_id, 'region', region_code FROM mart_band_lists
ORDER BY network_id, kind, value;

-- network_bands_fit: true while the bands asked for (the local and wider districts, the region)
-- are those the network's banded marts were built for (mart_band_lists, 35_banded_marts.sql;
-- compared as sets: a district's band depends on neither the order nor the local districts'
-- also being in the wider list). Another local area, or a network whose geography changed since
-- the last refresh, reads the live path.
CREATE OR REPLACE MACRO network_bands_fit(p_network_id, p_local_lads, p_wider_lads, p_region_code) AS (
    coalesce((SELECT list_sort(list_distinct(p_local_lads)) = b.local_lads
                     AND list_sort(list_distinct(list_concat(p_wider_lads, p_local_lads))) = b.wider_lads
                     AND p_region_code IS NOT DISTINCT FROM b.region_code
              FROM mart_band_lists b WHERE b.network_id = p_network_id), false)
);

-- The headline sums per network x anchor x financial year x denominator ('all', 'influenceable')
-- x IMD edition ('2019', '2025'): what spend_indicators' per_anchor step computes from
-- mart_spend_headline, the same expressions on the same rows (a few hundred rows in all against
-- ~30,000 a year). Only anchors with spend in the denominator have a row, as in the query.
CREATE OR REPLACE TABLE mart_network_anchor_year AS
WITH h AS (
    SELECT b.network_id, d.denominator, e.imd_edition, h.anchor_id, h.financial_year,
           h.spend_gbp, h.n_payments, h.located,
           spend_band(h.located, h.lad_code, h.region_code, l.local_lads, l.wider_lads, l.region_code) AS band,
           CASE WHEN e.imd_edition = '2025' THEN h.dep2025 ELSE h.dep2019 END AS deprived,
           h.is_sme, h.is_vcse, h.is_social_economy
    FROM mart_spend_headline h
    JOIN anchor_bit b ON b.anchor_id = h.anchor_id
    JOIN mart_band_lists l ON l.network_id = b.network_id
    CROSS JOIN (VALUES ('all'), ('influenceable')) d(denominator)
    CROSS JOIN (VALUES ('2019'), ('2025')) e(imd_edition)
    WHERE d.denominator <> 'influenceable' OR h.influenceable
),
hb AS (
    SELECT network_id, denominator, imd_edition, anchor_id, financial_year, located, band, deprived,
           is_sme, is_vcse, is_social_economy,
           sum(spend_gbp) AS spend_gbp, sum(n_payments) AS n_payments
    FROM h
    GROUP BY ALL
)
SELECT network_id, denominator, imd_edition, anchor_id, financial_year,
       sum(spend_gbp) AS spend_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE band = 'local'), 0) AS local_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE band = 'wider'), 0) AS rest_wider_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE band = 'region'), 0) AS rest_region_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE band = 'uk'), 0) AS rest_uk_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE band = 'unknown'), 0) AS unknown_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE is_sme), 0) AS sme_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE is_sme IS NOT NULL), 0) AS sme_known_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE is_sme AND band = 'local'), 0) AS local_sme_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE is_vcse), 0) AS vcse_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE is_vcse AND band = 'local'), 0) AS local_vcse_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE is_vcse IS NOT NULL), 0) AS vcse_known_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE is_social_economy), 0) AS social_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE deprived), 0) AS deprived_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE deprived IS NOT NULL), 0) AS imd_known_gbp,
       coalesce(sum(spend_gbp) FILTER (WHERE located), 0) AS located_gbp,
       sum(n_payments) AS n_payments
FROM hb
GROUP BY network_id, denominator, imd_edition, anchor_id, financial_year
ORDER BY network_id, denominator, imd_edition, anchor_id, financial_year;

-- The map of one year of a whole network, finished: per network x financial year x denominator
-- x area level x area, the rows spend_by_area returns (its one-year whole-network path on
-- mart_network_area_year, the same expressions), with both IMD editions' deciles and the
-- districts of each area (for $within_lads). share_pct is of the located spend of every area.
CREATE OR REPLACE TABLE mart_network_area_banded AS
WITH c AS (
    SELECT a.network_id, a.financial_year, d.denominator, a.area_level, a.area_code,
           NULL::INTEGER AS supplier_id,
           CASE WHEN d.denominator = 'influenceable' THEN a.n_suppliers_influenceable ELSE a.n_suppliers END AS n,
           CASE WHEN d.denominator = 'influenceable' THEN a.influenceable_gbp ELSE a.spend_gbp END AS spend_gbp,
           spend_band(true, a.lad_code, a.region_code, l.local_lads, l.wider_lads, l.region_code) AS band,
           a.imd2019_decile, a.imd2025_decile, a.lad_code
    FROM mart_network_area_year a
    JOIN mart_band_lists l ON l.network_id = a.network_id
    CROSS JOIN (VALUES ('all'), ('influenceable')) d(denominator)
    WHERE d.denominator <> 'influenceable' OR a.n_suppliers_influenceable > 0
),
bands AS (
    SELECT network_id, financial_year, denominator, area_level, area_code, band, sum(spend_gbp) AS spend_gbp
    FROM c WHERE area_code IS NOT NULL
    GROUP BY network_id, financial_year, denominator, area_level, area_code, band
),
areas AS (
    SELECT network_id, financial_year, denominator, area_level, area_code,
           sum(spend_gbp) AS spend_gbp,
           count(DISTINCT supplier_id) + coalesce(sum(n), 0) AS n_suppliers,
           max(imd2019_decile) AS imd2019_decile,
           max(imd2025_decile) AS imd2025_decile,
           round(100 * sum(spend_gbp) / nullif(sum(sum(spend_gbp)) OVER (PARTITION BY network_id, financial_year, denominator, area_level), 0), 4) AS share_pct,
           list(DISTINCT lad_code) AS lads
    FROM c
    WHERE area_code IS NOT NULL
    GROUP BY network_id, financial_year, denominator, area_level, area_code
)
SELECT a.network_id, a.financial_year, a.denominator, a.area_level, a.area_code, a.spend_gbp, a.n_suppliers,
       b.band, a.imd2019_decile, a.imd2025_decile, a.share_pct, a.lads
FROM areas a
JOIN (SELECT network_id, financial_year, denominator, area_level, area_code,
             first(band ORDER BY spend_gbp DESC, band) AS band
      FROM bands GROUP BY network_id, financial_year, denominator, area_level, area_code) b
  USING (network_id, financial_year, denominator, area_level, area_code)
ORDER BY a.network_id, a.financial_year, a.denominator, a.area_level, a.spend_gbp DESC, a.area_code;

-- The supplier list of one year of a whole network with no filter, ranked: per network x year x
-- denominator, its largest 1,000 suppliers (rank: spend, then supplier_id, the list's order) with
-- the columns the list shows, and the count and spend of every row (n_rows, total_spend_gbp),
-- from the same expressions as spend_suppliers' whole-network path. The page then reads a range
-- instead of sorting ~160,000 rows and joining names to 1,000. Names are kept for every row:
-- whether a supplier is a person (never named) is read live by the query, never from here.
CREATE OR REPLACE TABLE mart_network_supplier_rank AS
WITH agg AS (
    SELECT n.network_id, n.financial_year, d.denominator, n.supplier_id,
           CASE WHEN d.denominator = 'influenceable' THEN n.influenceable_gbp ELSE n.spend_gbp END AS spend_gbp,
           CASE WHEN d.denominator = 'influenceable' THEN n.n_payments_influenceable ELSE n.n_payments END AS n_payments,
           CASE WHEN d.denominator = 'influenceable' THEN n.influenceable_mask ELSE n.anchor_mask END AS mask,
           bit_count(n.anchor_mask) >= 2 AS shared
    FROM mart_network_supplier_year n
    CROSS JOIN (VALUES ('all'), ('influenceable')) d(denominator)
    WHERE d.denominator <> 'influenceable' OR n.n_payments_influenceable > 0
),
kept AS (
    SELECT agg.*, bit_count(mask) AS n_anchors,
           count(*) OVER w AS n_rows, sum(spend_gbp) OVER w AS total_spend_gbp,
           row_number() OVER (PARTITION BY network_id, financial_year, denominator
                              ORDER BY spend_gbp DESC, supplier_id) AS rank
    FROM agg
    WINDOW w AS (PARTITION BY network_id, financial_year, denominator)
    QUALIFY rank <= 1000
),
names AS (
    SELECT k.network_id, k.financial_year, k.denominator, k.supplier_id,
           string_agg(b.anchor_id, ', ' ORDER BY b.anchor_id) AS anchors
    FROM kept k JOIN anchor_bit b ON get_bit(k.mask, b.pos - 1) = 1
    GROUP BY k.network_id, k.financial_year, k.denominator, k.supplier_id
)
SELECT k.network_id, k.financial_year, k.denominator, k.rank, k.supplier_id,
       s.name, g.postcode, g.lad_code, l.lad_name,
       spend_band(coalesce(g.located, false) AND coalesce(g.country, 'UK') = 'UK', g.lad_code, g.region_code,
                  bl.local_lads, bl.wider_lads, bl.region_code) AS band,
       g.imd2019_decile, g.imd2025_decile,
       s.is_sme, s.is_vcse, s.is_social_economy,
       k.spend_gbp, k.n_payments, k.n_anchors, n.anchors, k.shared,
       g.lat, g.lon, k.n_rows, k.total_spend_gbp
FROM kept k
JOIN mart_band_lists bl ON bl.network_id = k.network_id
JOIN names n ON n.network_id = k.network_id AND n.financial_year = k.financial_year
             AND n.denominator = k.denominator AND n.supplier_id = k.supplier_id
JOIN supplier_resolved s ON s.supplier_id = k.supplier_id
JOIN supplier raw ON raw.supplier_id = k.supplier_id
LEFT JOIN supplier_geo g ON g.supplier_id = k.supplier_id
LEFT JOIN ref_lad l ON l.lad_code = g.lad_code
ORDER BY k.network_id, k.financial_year, k.denominator, k.rank;

-- The headline of each whole network, up to its last step: per network x denominator x IMD edition
-- x financial year, spend_indicators' agg rows (each anchor, and the network as a whole as
-- '_all': sums of the anchors' sums; distinct suppliers from mart_supplier_count and
-- mart_network_supplier_count), the same expressions on mart_network_anchor_year. The query
-- then works out only its shares (every *_pct column stays in the query, where a new indicator
-- is added: CONTRIBUTING.md).
CREATE OR REPLACE TABLE mart_network_headline AS
WITH whole AS (
    SELECT network_id, denominator, imd_edition, '_all' AS anchor_id, financial_year,
           sum(spend_gbp) AS spend_gbp, sum(local_gbp) AS local_gbp, sum(rest_wider_gbp) AS rest_wider_gbp,
           sum(rest_region_gbp) AS rest_region_gbp, sum(rest_uk_gbp) AS rest_uk_gbp, sum(unknown_gbp) AS unknown_gbp,
           sum(sme_gbp) AS sme_gbp, sum(sme_known_gbp) AS sme_known_gbp, sum(local_sme_gbp) AS local_sme_gbp,
           sum(vcse_gbp) AS vcse_gbp, sum(local_vcse_gbp) AS local_vcse_gbp, sum(vcse_known_gbp) AS vcse_known_gbp,
           sum(social_gbp) AS social_gbp, sum(deprived_gbp) AS deprived_gbp, sum(imd_known_gbp) AS imd_known_gbp,
           sum(located_gbp) AS located_gbp,
           sum(n_payments) AS n_payments
    FROM mart_network_anchor_year
    GROUP BY network_id, denominator, imd_edition, financial_year
),
both_levels AS (
    SELECT * FROM mart_network_anchor_year
    UNION ALL
    SELECT * FROM whole
),
nsup AS (
    SELECT b.network_id, d.denominator, c.anchor_id, c.financial_year,
           CASE WHEN d.denominator = 'influenceable' THEN c.n_suppliers_influenceable ELSE c.n_suppliers END AS n_suppliers
    FROM mart_supplier_count c
    JOIN anchor_bit b ON b.anchor_id = c.anchor_id
    CROSS JOIN (VALUES ('all'), ('influenceable')) d(denominator)
    UNION ALL
    SELECT c.network_id, d.denominator, '_all' AS anchor_id, c.financial_year,
           CASE WHEN d.denominator = 'influenceable' THEN c.n_suppliers_influenceable ELSE c.n_suppliers END AS n_suppliers
    FROM mart_network_supplier_count c
    CROSS JOIN (VALUES ('all'), ('influenceable')) d(denominator)
)
SELECT b.network_id, b.denominator, b.imd_edition,
       b.anchor_id, b.financial_year, b.spend_gbp, b.local_gbp, b.rest_wider_gbp, b.rest_region_gbp,
       b.rest_uk_gbp, b.unknown_gbp, b.sme_gbp, b.sme_known_gbp, b.local_sme_gbp, b.vcse_gbp,
       b.local_vcse_gbp, b.vcse_known_gbp, b.social_gbp, b.deprived_gbp, b.imd_known_gbp, b.located_gbp,
       coalesce(n.n_suppliers, 0) AS n_suppliers, b.n_payments
FROM both_levels b
LEFT JOIN nsup n ON n.network_id = b.network_id AND n.denominator = b.denominator
                AND n.anchor_id = b.anchor_id AND n.financial_year = b.financial_year
ORDER BY b.network_id, b.denominator, b.imd_edition, b.anchor_id, b.financial_year;
