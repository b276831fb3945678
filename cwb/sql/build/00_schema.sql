-- 00_schema: curated tables and shared macros. Idempotent: safe to run on every start.
-- Money is DECIMAL(18,2) (exact to the penny); financial years are text like '2023-24'.

CREATE OR REPLACE MACRO fin_year(d) AS
    CASE WHEN d IS NULL THEN NULL
         ELSE printf('%d-%02d',
                     CASE WHEN month(d) >= 4 THEN year(d) ELSE year(d) - 1 END,
                     (CASE WHEN month(d) >= 4 THEN year(d) ELSE year(d) - 1 END + 1) % 100)
    END;

-- first calendar year of a financial year label: '2023-24' -> 2023
CREATE OR REPLACE MACRO fy_start(fy) AS CAST(left(fy, 4) AS INTEGER);

CREATE OR REPLACE MACRO pcd_key(p) AS upper(regexp_replace(coalesce(p, ''), '[^A-Za-z0-9]', '', 'g'));

CREATE TABLE IF NOT EXISTS network (
    network_id      VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    local_lad_codes VARCHAR[] NOT NULL,   -- the declared local geography G (LAD codes)
    wider_lad_codes VARCHAR[] NOT NULL,   -- the wider area (county / combined authority), includes G
    region_code     VARCHAR,              -- region of the place (see ref_lad.region_code)
    local_name      VARCHAR,
    wider_name      VARCHAR,
    baseline_fy     VARCHAR,
    is_synthetic    BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS anchor (
    anchor_id     VARCHAR PRIMARY KEY,     -- a short code, e.g. 'PCC'
    name          VARCHAR NOT NULL,
    anchor_type   VARCHAR NOT NULL CHECK (anchor_type IN
                  ('council', 'nhs_trust', 'university', 'fe_college', 'housing_association',
                   'police', 'fire', 'other')),
    site_postcode VARCHAR,
    network_id    VARCHAR,
    joined_fy     VARCHAR,                 -- first financial year in the network (NULL: always)
    is_synthetic  BOOLEAN NOT NULL DEFAULT false
);

CREATE SEQUENCE IF NOT EXISTS source_file_seq START 1;
CREATE TABLE IF NOT EXISTS source_file (
    file_id       INTEGER PRIMARY KEY DEFAULT nextval('source_file_seq'),
    sha256        VARCHAR NOT NULL UNIQUE, -- re-importing the same content adds nothing
    file_name     VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,        -- payments / suppliers / workforce / assets / targets / reference
    anchor_id     VARCHAR,
    imported_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    imported_by   VARCHAR,
    rows_loaded   BIGINT,
    total_gbp     DECIMAL(18, 2),
    stored_path   VARCHAR,                 -- the original file, kept for audit and undo
    mapping_json  VARCHAR
);

CREATE TABLE IF NOT EXISTS supplier (
    supplier_id           BIGINT PRIMARY KEY,
    name                  VARCHAR NOT NULL,
    name_norm             VARCHAR NOT NULL,   -- cwb.ingest.names.normalise_name
    postcode              VARCHAR,            -- trading address postcode on the anchor's record
    company_number        VARCHAR,
    charity_number        VARCHAR,
    is_sme                BOOLEAN,            -- NULL = unknown
    sme_source            VARCHAR,
    is_vcse               BOOLEAN,
    vcse_source           VARCHAR,
    is_social_economy     BOOLEAN,
    social_economy_source VARCHAR,
    is_individual         BOOLEAN NOT NULL DEFAULT false,  -- never show the name
    is_public_body        BOOLEAN NOT NULL DEFAULT false,
    country               VARCHAR NOT NULL DEFAULT 'UK',
    source_file_id        INTEGER
);

-- an anchor's own supplier reference -> supplier_id (matching by id where both have one)
CREATE TABLE IF NOT EXISTS supplier_alias (
    anchor_id    VARCHAR NOT NULL,
    supplier_ref VARCHAR NOT NULL,
    supplier_id  BIGINT NOT NULL,
    PRIMARY KEY (anchor_id, supplier_ref)
);

CREATE TABLE IF NOT EXISTS payment (
    anchor_id      VARCHAR NOT NULL,
    supplier_id    BIGINT,                 -- NULL: payee not matched to a supplier record
    payment_date   DATE NOT NULL,
    invoice_date   DATE,
    amount_gbp     DECIMAL(18, 2) NOT NULL,
    category       VARCHAR,
    influenceable  BOOLEAN NOT NULL DEFAULT true,
    payee_text     VARCHAR,                -- as published ('REDACTED PERSONAL DATA' kept, never shown)
    source_file_id INTEGER,
    source_row     INTEGER
);

-- workforce: counts by area only (never one row per person)
CREATE TABLE IF NOT EXISTS workforce_area (
    anchor_id         VARCHAR NOT NULL,
    financial_year    VARCHAR NOT NULL,    -- staff in post at 31 March of its second year
    area_code         VARCHAR NOT NULL,    -- LSOA 2011 code, or coarser
    area_level        VARCHAR NOT NULL DEFAULT 'lsoa11',  -- lsoa11 / msoa11 / lad / unknown
    headcount         INTEGER NOT NULL,
    fte               DECIMAL(12, 2),
    adult_headcount   INTEGER,             -- staff aged 18+ (denominator of B5)
    paid_rlw          INTEGER,             -- 18+ paid at least the real Living Wage that year
    apprentices       INTEGER,
    apprentice_starts INTEGER,
    entry_hires       INTEGER,             -- entry-level hires in the year living in this area
    insecure          INTEGER,             -- zero-hours, agency or bank
    source_file_id    INTEGER
);

-- anchor-level workforce returns (statutory gender pay gap etc.)
CREATE TABLE IF NOT EXISTS workforce_anchor (
    anchor_id          VARCHAR NOT NULL,
    financial_year     VARCHAR NOT NULL,
    gpg_mean_pct       DOUBLE,
    gpg_median_pct     DOUBLE,
    source_file_id     INTEGER
);

CREATE TABLE IF NOT EXISTS asset (
    asset_id           VARCHAR PRIMARY KEY,
    anchor_id          VARCHAR NOT NULL,
    site_name          VARCHAR,
    uprn               VARCHAR,            -- text: UPRNs are identifiers, not numbers
    address            VARCHAR,
    postcode           VARCHAR,
    easting            DOUBLE,
    northing           DOUBLE,
    lat                DOUBLE,
    lon                DOUBLE,
    location_precision VARCHAR,            -- coordinates / postcode / postcode district / none
    tenure             VARCHAR,            -- freehold / leasehold / other
    holding_type       VARCHAR,
    use_type           VARCHAR,
    area_ha            DOUBLE,
    floor_area_m2      DOUBLE,
    source_file_id     INTEGER
);

-- status of each asset by financial year (trends; the latest year is the current status)
CREATE TABLE IF NOT EXISTS asset_year (
    asset_id           VARCHAR NOT NULL,
    financial_year     VARCHAR NOT NULL,
    status             VARCHAR NOT NULL,   -- operational / surplus / vacant / under-used /
                                           -- community use / transferred / disposed
    disposal_route     VARCHAR,            -- open market / community asset transfer /
                                           -- affordable housing / retained for community use
    disposal_value_gbp DECIMAL(18, 2),
    PRIMARY KEY (asset_id, financial_year)
);

CREATE TABLE IF NOT EXISTS target (
    indicator      VARCHAR NOT NULL,       -- e.g. 'A2' local spend %
    scope_type     VARCHAR NOT NULL CHECK (scope_type IN ('network', 'anchor')),
    scope_id       VARCHAR NOT NULL,
    financial_year VARCHAR NOT NULL,
    target_value   DOUBLE NOT NULL,
    direction      VARCHAR NOT NULL DEFAULT 'higher' CHECK (direction IN ('higher', 'lower')),
    PRIMARY KEY (indicator, scope_type, scope_id, financial_year)
);

-- reference tables (filled by cwb.reference; created empty so every query compiles)
CREATE TABLE IF NOT EXISTS ref_postcode (
    pcd_key    VARCHAR,   -- upper case, no spaces
    pcds       VARCHAR,
    lsoa11     VARCHAR,
    msoa11     VARCHAR,
    lad22      VARCHAR,
    lad25      VARCHAR,
    lat        DOUBLE,
    lon        DOUBLE,
    terminated BOOLEAN
);

CREATE TABLE IF NOT EXISTS ref_lad (
    lad_code    VARCHAR PRIMARY KEY,
    lad_name    VARCHAR,
    county_code VARCHAR,
    county_name VARCHAR,
    region_code VARCHAR,
    region_name VARCHAR,
    region_source VARCHAR
);

CREATE TABLE IF NOT EXISTS ref_imd (
    edition      VARCHAR NOT NULL,  -- '2019' (on 2011 LSOAs) or '2025' (on 2021 LSOAs)
    lsoa_code    VARCHAR NOT NULL,
    imd_decile   INTEGER NOT NULL,  -- 1 = most deprived 10 %
    imd_rank     INTEGER,
    imd_score    DOUBLE,
    population   INTEGER,
    PRIMARY KEY (edition, lsoa_code)
);

-- LSOA 2011 -> 2021 (optional import; unchanged LSOAs keep their code)
CREATE TABLE IF NOT EXISTS ref_lsoa11_lsoa21 (
    lsoa11 VARCHAR NOT NULL,
    lsoa21 VARCHAR NOT NULL
);

-- changes of method or data that break a trend (flagged on trend charts)
CREATE TABLE IF NOT EXISTS network_event (
    network_id     VARCHAR NOT NULL,
    financial_year VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,   -- method / membership / data
    note           VARCHAR NOT NULL
);

-- column mappings remembered per source (anchor and kind of file), so next month's file
-- imports in one step
CREATE TABLE IF NOT EXISTS import_mapping (
    source_key   VARCHAR PRIMARY KEY,
    mapping_json VARCHAR NOT NULL,
    saved_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    who     VARCHAR,
    action  VARCHAR NOT NULL,   -- import / undo / export / settings
    detail  VARCHAR
);
