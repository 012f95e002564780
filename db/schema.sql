-- The store's tables. Statements are idempotent: run on every write connection.

CREATE TABLE IF NOT EXISTS departments (
    code      VARCHAR PRIMARY KEY,
    name_vi   VARCHAR NOT NULL,
    name_en   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS localities (
    code      VARCHAR PRIMARY KEY,   -- five digits, leading zeros kept
    name      VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL       -- phuong | xa
);

-- One row per indicator: every attribute of CONTRACT §1 except the lists below.
CREATE TABLE IF NOT EXISTS indicators (
    code           VARCHAR PRIMARY KEY,
    name_vi        VARCHAR NOT NULL,
    name_en        VARCHAR NOT NULL,
    "group"        VARCHAR NOT NULL,
    field          VARCHAR NOT NULL,
    owner          VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    unit           VARCHAR NOT NULL,
    frequency      VARCHAR NOT NULL,
    value_type     VARCHAR NOT NULL,
    level          VARCHAR NOT NULL,
    aggregation    VARCHAR NOT NULL,
    direction      VARCHAR NOT NULL,
    valid_min      DOUBLE,
    valid_max      DOUBLE,
    deadline_days  INTEGER NOT NULL,
    definition_vi  VARCHAR,
    definition_en  VARCHAR,
    method         VARCHAR,
    central_code   VARCHAR,
    stage          VARCHAR NOT NULL,
    on_track_pct   DOUBLE NOT NULL,  -- status thresholds, percent of target
    at_risk_pct    DOUBLE NOT NULL,
    position       INTEGER NOT NULL  -- order in the catalogue file
);

CREATE TABLE IF NOT EXISTS targets (
    indicator_code VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    value          DOUBLE NOT NULL,
    PRIMARY KEY (indicator_code, year)
);

CREATE TABLE IF NOT EXISTS components (
    composite_code VARCHAR NOT NULL,
    component_code VARCHAR NOT NULL,
    weight         DOUBLE NOT NULL,
    PRIMARY KEY (composite_code, component_code)
);

CREATE SEQUENCE IF NOT EXISTS catalogue_load_ids START 1;
CREATE TABLE IF NOT EXISTS catalogue_loads (
    id          BIGINT PRIMARY KEY,
    loaded_at   TIMESTAMP NOT NULL,
    file_name   VARCHAR NOT NULL,
    file_hash   VARCHAR NOT NULL,
    indicators  INTEGER NOT NULL,
    loaded_by   VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS submission_ids START 1;
-- Every file a department sent, accepted or rejected, with its report.
CREATE TABLE IF NOT EXISTS submissions (
    id            BIGINT PRIMARY KEY,
    department    VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    file_hash     VARCHAR NOT NULL,
    submitted_at  TIMESTAMP NOT NULL,
    submitted_by  VARCHAR,
    status        VARCHAR NOT NULL,  -- accepted | rejected
    rows          INTEGER NOT NULL,  -- data rows in the file
    new_rows      INTEGER NOT NULL,  -- keys that had no value before
    revised_rows  INTEGER NOT NULL,  -- keys whose value changed
    errors        JSON               -- list of {row, column, value, message_vi, message_en}
);

-- Current values: one row per (indicator, period, locality); locality '' is the province.
-- No primary key on purpose: the loader guarantees uniqueness, and bulk merges stay fast.
CREATE TABLE IF NOT EXISTS observations (
    indicator_code VARCHAR NOT NULL,
    period         VARCHAR NOT NULL,  -- canonical: 2025, 2025-H1, 2025-Q3, 2025-09, 2025-W36
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL,
    locality_code  VARCHAR NOT NULL,
    value          DOUBLE NOT NULL,
    note           VARCHAR,
    department     VARCHAR NOT NULL,
    submission_id  BIGINT NOT NULL,
    submitted_at   TIMESTAMP NOT NULL
);

-- Every value ever accepted (the current one included), so revisions keep their history.
CREATE TABLE IF NOT EXISTS observation_history (
    indicator_code VARCHAR NOT NULL,
    period         VARCHAR NOT NULL,
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL,
    locality_code  VARCHAR NOT NULL,
    value          DOUBLE NOT NULL,
    note           VARCHAR,
    department     VARCHAR NOT NULL,
    submission_id  BIGINT NOT NULL,
    submitted_at   TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS audit_ids START 1;
-- Who did what and when: submissions, revisions, catalogue changes, logins.
CREATE TABLE IF NOT EXISTS audit_log (
    id      BIGINT PRIMARY KEY,
    logged_at TIMESTAMP NOT NULL,
    actor   VARCHAR,
    action  VARCHAR NOT NULL,
    target  VARCHAR,
    detail  JSON
);

-- Login sessions of local accounts, so a reload or a link opened in a new tab keeps its user.
-- The browser keeps the token in a cookie; only its sha256 is stored here.
CREATE TABLE IF NOT EXISTS login_sessions (
    token_hash  VARCHAR PRIMARY KEY,
    username    VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);

-- Local accounts (when no OpenID Connect provider is configured). Passwords only as argon2 hashes.
CREATE TABLE IF NOT EXISTS accounts (
    username         VARCHAR PRIMARY KEY,
    display_name     VARCHAR,
    role             VARCHAR NOT NULL,   -- leader | analyst | submitter | admin
    department       VARCHAR,            -- required for submitter
    password_hash    VARCHAR,
    email            VARCHAR,            -- matched against the OpenID Connect identity
    disabled         BOOLEAN NOT NULL DEFAULT false,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,   -- unused since login_attempts (kept so older files open)
    locked_until     TIMESTAMP,                    -- unused since login_attempts
    created_at       TIMESTAMP NOT NULL
);

-- Logins by name and client, for throttling (auth/throttle.py): failures of the last day, successes of the last
-- 30 days (a client that logged in to a name before is not held back by failures from elsewhere).
CREATE TABLE IF NOT EXISTS login_attempts (
    attempted_at TIMESTAMP NOT NULL,
    username     VARCHAR NOT NULL,  -- the name as typed (normalised), whether or not an account has it
    client       VARCHAR NOT NULL,  -- the client's address; 'local' on the server itself, 'cli' for the command line
    ok           BOOLEAN NOT NULL
);
-- Columns added after databases were in use. The statements above never change an existing table, so
-- new columns are appended here, where an old file gets them at its next write connection and a new
-- file right after its CREATE: both end with the same layout. Readers of these columns must allow for
-- a file not written to since the upgrade (or call db.migrate once at start).
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS received_at TIMESTAMP;  -- when the file was received (checked before the lock); submitted_at is when its values became current
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS reason VARCHAR;         -- why the file revises published values, as its sender gave it
ALTER TABLE observation_history ADD COLUMN IF NOT EXISTS reason VARCHAR; -- on a value that revised an earlier one: the submission's reason
ALTER TABLE indicators ADD COLUMN IF NOT EXISTS unit_en VARCHAR;              -- the unit in English, where it differs (optional)
ALTER TABLE indicators ADD COLUMN IF NOT EXISTS source_en VARCHAR;            -- the source in English, where it differs (optional)

-- Tables added after databases were in use: CREATE ... IF NOT EXISTS gives an old file the table at its next write
-- connection, as the columns above. Readers allow for a file without it (db.queries.explanations).
CREATE SEQUENCE IF NOT EXISTS explanation_ids START 1;
-- Explanations asked and answered (đề nghị giải trình): a leader asks the department that owns an indicator to explain
-- its figure for a period, by a due date; the department answers once, in text. Both are audited.
CREATE TABLE IF NOT EXISTS explanations (
    id              BIGINT PRIMARY KEY,
    indicator_code  VARCHAR NOT NULL,
    period          VARCHAR NOT NULL,     -- canonical, of the indicator's frequency
    department      VARCHAR NOT NULL,     -- the indicator's owner when asked: the one department that answers
    note            VARCHAR NOT NULL,     -- what the leader asks
    due_date        DATE NOT NULL,
    asked_by        VARCHAR NOT NULL,
    asked_at        TIMESTAMP NOT NULL,
    answer          VARCHAR,              -- null until answered
    answered_by     VARCHAR,
    answered_at     TIMESTAMP
);
