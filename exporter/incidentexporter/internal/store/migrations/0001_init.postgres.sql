-- Incident store, PostgreSQL. Times are Unix nanoseconds (0 = unset); statuses
-- and severities are the pkg/incident enum values (ordered), so
-- "severity >= 3" means error or worse. doc holds the whole incident as JSON
-- (the source of truth for Get); the other columns are copies for queries.
CREATE TABLE incidents (
    id                TEXT    PRIMARY KEY,
    version           BIGINT  NOT NULL, -- store sequence: pipeline and human changes
    source_seq        BIGINT  NOT NULL, -- last pipeline sequence applied
    status            BIGINT  NOT NULL,
    severity          BIGINT  NOT NULL,
    title             TEXT    NOT NULL,
    summary           TEXT    NOT NULL DEFAULT '',
    opened_at         BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    resolved_at       BIGINT  NOT NULL DEFAULT 0,
    root_cause_entity TEXT    NOT NULL DEFAULT '',
    root_cause_kind   TEXT    NOT NULL DEFAULT '',
    recurrence_of     TEXT    NOT NULL DEFAULT '',
    service_count     BIGINT  NOT NULL DEFAULT 0,
    member_count      BIGINT  NOT NULL DEFAULT 0,
    timeline_count    BIGINT  NOT NULL DEFAULT 0,
    timeline_dropped  BIGINT  NOT NULL DEFAULT 0,
    search            TEXT    NOT NULL DEFAULT '', -- lower-case title and summary, for the text filter
    doc               TEXT    NOT NULL
);
CREATE INDEX incidents_status_opened ON incidents (status, opened_at DESC, id DESC);
CREATE INDEX incidents_severity_opened ON incidents (severity, opened_at DESC, id DESC);
-- The keyset order of List; it also covers the text filter's scan, so the
-- wide doc rows are never read for rows that do not match.
CREATE INDEX incidents_search ON incidents (opened_at DESC, id DESC, search);
CREATE INDEX incidents_resolved ON incidents (resolved_at) WHERE status = 3;
CREATE INDEX incidents_root_cause_entity ON incidents (root_cause_entity, opened_at DESC);
CREATE INDEX incidents_root_cause_kind ON incidents (root_cause_kind, opened_at DESC);

CREATE TABLE incident_services (
    incident_id TEXT    NOT NULL,
    service     TEXT    NOT NULL,
    opened_at   BIGINT  NOT NULL,
    PRIMARY KEY (incident_id, service)
);
CREATE INDEX incident_services_service ON incident_services (service, opened_at DESC, incident_id DESC);

CREATE TABLE incident_hosts (
    incident_id TEXT    NOT NULL,
    host        TEXT    NOT NULL,
    opened_at   BIGINT  NOT NULL,
    PRIMARY KEY (incident_id, host)
);
CREATE INDEX incident_hosts_host ON incident_hosts (host, opened_at DESC, incident_id DESC);

CREATE TABLE incident_members (
    incident_id TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    finding_id  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    severity    BIGINT  NOT NULL,
    entity_key  TEXT    NOT NULL,
    signal      TEXT    NOT NULL DEFAULT '',
    first_seen  BIGINT  NOT NULL,
    last_seen   BIGINT  NOT NULL,
    count       BIGINT  NOT NULL,
    PRIMARY KEY (incident_id, fingerprint)
);
CREATE INDEX incident_members_fingerprint ON incident_members (fingerprint);

CREATE TABLE timeline (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL DEFAULT '',
    sequence    BIGINT  NOT NULL DEFAULT 0,
    status      BIGINT  NOT NULL,
    severity    BIGINT  NOT NULL,
    text        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX timeline_incident ON timeline (incident_id, id);

CREATE TABLE silences (
    id         TEXT    PRIMARY KEY,
    matchers   TEXT    NOT NULL, -- JSON array of {name, op, value}
    starts_at  BIGINT  NOT NULL,
    ends_at    BIGINT  NOT NULL,
    created_by TEXT    NOT NULL DEFAULT '',
    comment    TEXT    NOT NULL DEFAULT '',
    created_at BIGINT  NOT NULL
);
CREATE INDEX silences_ends ON silences (ends_at);

CREATE TABLE outbox (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destination     TEXT    NOT NULL,
    idem_key        TEXT    NOT NULL,
    incident_id     TEXT    NOT NULL DEFAULT '',
    payload         BYTEA   NOT NULL,
    state           BIGINT  NOT NULL DEFAULT 0, -- 0 pending, 1 delivered, 2 dead
    attempt         BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    done_at         BIGINT  NOT NULL DEFAULT 0,
    UNIQUE (destination, idem_key)
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);
CREATE INDEX outbox_done ON outbox (done_at) WHERE state <> 0;
