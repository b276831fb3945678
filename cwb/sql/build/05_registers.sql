-- 05_registers: the open registers (Companies House, charity registers, FCA mutuals, public
-- bodies), the matches of payees to them, reviewers' decisions, and supplier_resolved: every
-- supplier with the location and flags used by the figures, each with its source.
-- Runs before 10_enrich (which locates supplier_resolved). With no register loaded and no
-- decision made, supplier_resolved carries exactly the supplier table's own values.

-- register name key: upper case, no punctuation, '&' = 'and', legal suffixes and 'the' removed
-- (the same rules as cwb.ingest.names.normalise_name, in SQL so 5.5M names take seconds)
CREATE OR REPLACE MACRO reg_norm(n) AS
    upper(trim(regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(replace(replace(lower(strip_accents(coalesce(n, ''))), 'co-op', 'coop'), '&', ' and '),
                               '[^a-z0-9 ]+', ' ', 'g'),
                '\b(public limited company|limited liability partnership|community interest company|c i c|u k|limited|ltd|plc|llp|lp|cic|inc|incorporated|co|company|corp|corporation|uk|gb|group|holdings|the)\b',
                ' ', 'g'),
            '\s+', ' ', 'g'),
        '^\s+|\s+$', '', 'g')));

-- blocking key for fuzzy candidates: first word + first letter of the second word
CREATE OR REPLACE MACRO reg_block(nn) AS
    CASE WHEN nn = '' THEN NULL
         ELSE split_part(nn, ' ', 1) || ' ' || left(split_part(nn, ' ', 2), 1) END;

-- council name key: 'Borough of Pendle', 'Pendle Borough Council' and 'Pendle' -> 'PENDLE'
-- (applied to payees whose name says council/borough/county, matched against councils only)
CREATE OR REPLACE MACRO council_key(nn) AS
    trim(regexp_replace(regexp_replace(nn,
        '\b(council|borough|district|metropolitan|city|county|of|and|royal|london|mbc|bc|dc|cc|mdc)\b', ' ', 'gi'),
        '\s+', ' ', 'g'));

-- Companies House company numbers are 8 characters: '1234' -> '00001234', 'sc1234' -> 'SC001234'
CREATE OR REPLACE MACRO company_key(c) AS
    CASE WHEN c IS NULL OR trim(c) IN ('', '0') THEN NULL
         WHEN regexp_full_match(upper(trim(c)), '[0-9]{1,8}') THEN lpad(trim(c), 8, '0')
         WHEN regexp_full_match(upper(trim(c)), '[A-Z]{2}[0-9]{1,6}')
              THEN left(upper(trim(c)), 2) || lpad(substr(upper(trim(c)), 3), 6, '0')
         ELSE upper(regexp_replace(c, '\s', '', 'g')) END;

CREATE OR REPLACE MACRO charity_key(c) AS
    CASE WHEN c IS NULL OR trim(c) IN ('', '0') THEN NULL
         ELSE upper(regexp_replace(regexp_replace(c, '\s', '', 'g'), '^(NIC|CHC)', '')) END;

-- one row per loaded register file (the snapshot date is stated with every figure it feeds)
CREATE TABLE IF NOT EXISTS reg_source (
    kind          VARCHAR PRIMARY KEY,   -- companies / ccew / oscr / ccni / fca_mutuals / public_bodies / councils / nhs_ods
    file_names    VARCHAR NOT NULL,
    snapshot_date DATE,
    loaded_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    n_rows        BIGINT NOT NULL,
    seconds       DOUBLE
);

CREATE TABLE IF NOT EXISTS reg_entity (
    kind              VARCHAR NOT NULL,
    reg_id            VARCHAR NOT NULL,   -- company number (8 chars), charity number, society number, ...
    name              VARCHAR NOT NULL,
    name_norm         VARCHAR NOT NULL,
    postcode          VARCHAR,            -- registered office / contact address postcode
    legal_form        VARCHAR,            -- CompanyCategory, charity type, 'Registered As', body type
    status            VARCHAR,
    active            BOOLEAN,
    accounts_category VARCHAR,            -- Companies House Accounts.AccountCategory
    sic               VARCHAR,
    income_gbp        DOUBLE,
    company_number    VARCHAR,            -- charities and societies: their company number, if any
    prev_names        VARCHAR[]
);

-- every name of every entity (current and previous), with its blocking key
CREATE TABLE IF NOT EXISTS reg_name (
    kind        VARCHAR NOT NULL,
    reg_id      VARCHAR NOT NULL,
    name_norm   VARCHAR NOT NULL,
    is_previous BOOLEAN NOT NULL,
    block_key   VARCHAR
);

-- automatic matches, one row per payee name key (supplier.name_norm). status: 'auto' (accepted
-- automatically: confidence >= threshold), 'queued' (candidates below the threshold), 'none'
CREATE TABLE IF NOT EXISTS supplier_match (
    name_norm   VARCHAR PRIMARY KEY,
    status      VARCHAR NOT NULL,
    kind        VARCHAR,
    reg_id      VARCHAR,
    confidence  DOUBLE,
    method      VARCHAR,                  -- company number / charity number / exact name / previous name / similar name
    evidence    VARCHAR,
    candidates  VARCHAR,                  -- JSON list of {kind, reg_id, name, postcode, score}
    matched_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- reviewers' decisions, by payee name key: they survive re-imports and undo of files, and apply
-- to every anchor that pays the same payee. Append-only: the latest row per key counts
-- (action 'clear' withdraws); 'reject' rows each exclude one candidate.
CREATE SEQUENCE IF NOT EXISTS supplier_decision_seq START 1;
CREATE TABLE IF NOT EXISTS supplier_decision (
    decision_id BIGINT PRIMARY KEY DEFAULT nextval('supplier_decision_seq'),
    name_norm   VARCHAR NOT NULL,
    action      VARCHAR NOT NULL CHECK (action IN ('accept', 'reject', 'public_body', 'individual',
                                                   'outside_uk', 'postcode', 'no_match', 'clear')),
    kind        VARCHAR,
    reg_id      VARCHAR,
    postcode    VARCHAR,
    note        VARCHAR,
    network_id  VARCHAR,
    decided_by  VARCHAR,
    decided_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE OR REPLACE TABLE supplier_resolved AS
WITH dec AS (
    SELECT * FROM supplier_decision
    WHERE action <> 'reject'
    QUALIFY row_number() OVER (PARTITION BY name_norm ORDER BY decision_id DESC) = 1
),
rej AS (
    SELECT DISTINCT d.name_norm, d.kind, d.reg_id FROM supplier_decision d
    WHERE d.action = 'reject'
      AND NOT EXISTS (SELECT 1 FROM supplier_decision c WHERE c.name_norm = d.name_norm
                      AND c.action IN ('clear', 'accept') AND c.decision_id > d.decision_id
                      AND (c.action = 'clear' OR (c.kind = d.kind AND c.reg_id = d.reg_id)))
),
pick AS (   -- the register entry each supplier is linked to, and how
    SELECT s.supplier_id,
           CASE WHEN d.action = 'accept' THEN d.kind
                WHEN d.action IS NULL OR d.action IN ('clear', 'postcode') THEN m.kind END AS kind,
           CASE WHEN d.action = 'accept' THEN d.reg_id
                WHEN d.action IS NULL OR d.action IN ('clear', 'postcode') THEN m.reg_id END AS reg_id,
           CASE WHEN d.action = 'accept' THEN 'accepted by a reviewer'
                WHEN d.action IS NULL OR d.action IN ('clear', 'postcode') THEN m.method END AS match_method,
           CASE WHEN d.action = 'accept' THEN 1.0
                WHEN d.action IS NULL OR d.action IN ('clear', 'postcode') THEN m.confidence END AS match_confidence,
           CASE WHEN d.action = 'accept' THEN 'reviewer ' || coalesce(d.decided_by, '?') || ' on ' || strftime(d.decided_at, '%Y-%m-%d')
                WHEN d.action IS NULL OR d.action IN ('clear', 'postcode') THEN m.evidence END AS match_evidence,
           d.action AS decision, d.postcode AS decision_postcode
    FROM supplier s
    LEFT JOIN dec d ON d.name_norm = s.name_norm AND s.name_norm <> '' AND NOT s.is_individual
    LEFT JOIN supplier_match m ON m.name_norm = s.name_norm AND m.status = 'auto' AND NOT s.is_individual
         AND NOT EXISTS (SELECT 1 FROM rej WHERE rej.name_norm = m.name_norm AND rej.kind = m.kind AND rej.reg_id = m.reg_id)
),
ent AS (    -- the linked entry, with the charity / company entry of the same organisation
    SELECT p.supplier_id, p.kind, p.reg_id, p.match_method, p.match_confidence, p.match_evidence,
           p.decision, p.decision_postcode,
           e.name AS reg_name, e.postcode AS reg_postcode, e.legal_form, e.accounts_category, e.active,
           co.legal_form AS co_legal_form, co.accounts_category AS co_accounts_category,
           co.postcode AS co_postcode,
           coalesce(ch.reg_id, CASE WHEN e.kind IN ('ccew', 'oscr', 'ccni') THEN e.reg_id END) AS charity_no,
           coalesce(CASE WHEN e.kind = 'companies' THEN e.reg_id END, e.company_number) AS company_no,
           src.snapshot_date
    FROM pick p
    LEFT JOIN reg_entity e ON e.kind = p.kind AND e.reg_id = p.reg_id
    LEFT JOIN reg_entity co ON e.kind <> 'companies' AND co.kind = 'companies' AND co.reg_id = company_key(e.company_number)
    LEFT JOIN (SELECT company_key(company_number) AS cn, min(reg_id) AS reg_id FROM reg_entity
               WHERE kind IN ('ccew', 'oscr', 'ccni') AND company_key(company_number) IS NOT NULL
               GROUP BY 1) ch ON e.kind = 'companies' AND ch.cn = e.reg_id
    LEFT JOIN reg_source src ON src.kind = p.kind
),
rf AS (     -- flags the register gives (NULL = the register says nothing)
    SELECT ent.*,
           lower(coalesce(legal_form, '')) AS lf,
           lower(coalesce(co_legal_form, legal_form, '')) AS clf,
           upper(coalesce(co_accounts_category, accounts_category, '')) AS acc
    FROM ent
)
SELECT s.supplier_id, s.name, s.name_norm,
       CASE WHEN rf.decision = 'postcode' THEN rf.decision_postcode
            WHEN s.postcode IS NOT NULL THEN s.postcode
            WHEN rf.decision = 'outside_uk' THEN NULL
            ELSE coalesce(rf.reg_postcode, rf.co_postcode) END AS postcode,
       coalesce(s.company_number, rf.company_no) AS company_number,
       coalesce(s.charity_number, rf.charity_no) AS charity_number,
       -- SME: the anchor's own flag, else the Companies House accounts category (micro, small,
       -- medium, total exemption, abridged, dormant = SME; full or group accounts = not SME;
       -- subsidiaries' exemptions, initial or no accounts = unknown)
       coalesce(s.is_sme, CASE
            WHEN rf.acc IN ('MICRO ENTITY', 'SMALL', 'MEDIUM', 'TOTAL EXEMPTION SMALL', 'TOTAL EXEMPTION FULL',
                            'UNAUDITED ABRIDGED', 'AUDITED ABRIDGED', 'DORMANT', 'PARTIAL EXEMPTION') THEN true
            WHEN rf.acc IN ('FULL', 'GROUP') THEN false END) AS is_sme,
       CASE WHEN s.is_sme IS NOT NULL THEN s.sme_source
            WHEN rf.acc IN ('MICRO ENTITY', 'SMALL', 'MEDIUM', 'TOTAL EXEMPTION SMALL', 'TOTAL EXEMPTION FULL',
                            'UNAUDITED ABRIDGED', 'AUDITED ABRIDGED', 'DORMANT', 'PARTIAL EXEMPTION', 'FULL', 'GROUP')
                 THEN 'Companies House accounts category ' || rf.acc || coalesce(' (snapshot ' || rf.snapshot_date || ')', '') END AS sme_source,
       coalesce(s.is_vcse, CASE
            WHEN rf.kind IN ('public_bodies', 'councils', 'nhs_ods') THEN false
            WHEN rf.charity_no IS NOT NULL THEN true
            WHEN rf.clf LIKE '%community interest company%' OR rf.clf LIKE '%charitable incorporated%'
                 OR rf.clf LIKE '%registered society%' OR rf.clf LIKE '%industrial and provident%'
                 OR rf.kind = 'fca_mutuals' THEN true
            WHEN rf.kind = 'companies' THEN false END) AS is_vcse,
       CASE WHEN s.is_vcse IS NOT NULL THEN s.vcse_source
            WHEN rf.kind IN ('public_bodies', 'councils', 'nhs_ods') THEN 'public body register'
            WHEN rf.charity_no IS NOT NULL THEN 'registered charity ' || rf.charity_no
            WHEN rf.kind = 'fca_mutuals' THEN 'FCA Mutuals Public Register: ' || coalesce(rf.legal_form, 'society')
            WHEN rf.kind = 'companies' THEN 'Companies House company category: ' || coalesce(rf.legal_form, '?') END AS vcse_source,
       coalesce(s.is_social_economy, CASE
            WHEN rf.kind IN ('public_bodies', 'councils', 'nhs_ods') THEN false
            WHEN rf.clf LIKE '%community interest company%' OR rf.clf LIKE '%co-operative%' OR rf.clf LIKE '%cooperative%'
                 OR rf.clf LIKE '%community benefit%' OR rf.clf LIKE '%registered society%'
                 OR rf.clf LIKE '%industrial and provident%' OR rf.clf LIKE '%credit union%' THEN true
            WHEN rf.kind IN ('companies', 'fca_mutuals', 'ccew', 'oscr', 'ccni') THEN false END) AS is_social_economy,
       CASE WHEN s.is_social_economy IS NOT NULL THEN s.social_economy_source
            WHEN rf.kind IN ('public_bodies', 'councils', 'nhs_ods') THEN 'public body register'
            WHEN rf.kind = 'fca_mutuals' THEN 'FCA Mutuals Public Register: ' || coalesce(rf.legal_form, 'society')
            WHEN rf.kind IN ('companies', 'ccew', 'oscr', 'ccni') THEN 'register legal form: ' || coalesce(rf.co_legal_form, rf.legal_form, '?') END
            AS social_economy_source,
       s.is_individual OR coalesce(rf.decision = 'individual', false) AS is_individual,
       s.is_public_body OR coalesce(rf.decision = 'public_body', false)
            OR coalesce(rf.kind IN ('public_bodies', 'councils', 'nhs_ods'), false) AS is_public_body,
       CASE WHEN rf.decision = 'outside_uk' THEN 'Outside UK' ELSE s.country END AS country,
       s.source_file_id,
       -- how the supplier was located (the postcode above)
       CASE WHEN rf.decision = 'postcode' THEN 'by hand'
            WHEN s.postcode IS NOT NULL THEN
                 CASE WHEN sf.kind = 'payments' THEN 'payment file' ELSE 'supplier list' END
            WHEN rf.decision = 'outside_uk' THEN NULL
            WHEN rf.reg_postcode IS NOT NULL OR rf.co_postcode IS NOT NULL THEN
                 CASE WHEN rf.kind = 'companies' OR rf.reg_postcode IS NULL THEN 'Companies House registered office'
                      WHEN rf.kind IN ('ccew', 'oscr', 'ccni') THEN 'charity register'
                      WHEN rf.kind = 'fca_mutuals' THEN 'FCA Mutuals Public Register'
                      ELSE 'public body register' END
       END AS location_method,
       rf.snapshot_date AS register_snapshot,
       rf.kind AS match_kind, rf.reg_id AS match_reg_id, rf.reg_name AS match_name,
       rf.match_method, rf.match_confidence, rf.match_evidence, rf.decision
FROM supplier s
LEFT JOIN rf ON rf.supplier_id = s.supplier_id
LEFT JOIN source_file sf ON sf.file_id = s.source_file_id;
