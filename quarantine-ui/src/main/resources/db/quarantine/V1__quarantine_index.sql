-- Quarantine index, version 1 (org.postern.quarantine.store, quarantine_database). One row per
-- quarantined message, whose content is the file named by its id in quarantine_directory, and one row
-- per recipient it was quarantined for, with that recipient's state. Times are milliseconds since the
-- epoch, except arrival (ISO-8601 text, exact to the nanosecond, only shown and reinjected).

CREATE TABLE messages (
    id              TEXT    NOT NULL PRIMARY KEY,  -- quarantine id: 20 base32 characters, the file name
    time            INTEGER NOT NULL,              -- quarantined at
    queue_id        TEXT    NOT NULL,
    arrival         TEXT    NOT NULL,
    client_name     TEXT    NOT NULL,
    client_address  TEXT    NOT NULL,
    client_port     INTEGER NOT NULL,
    helo            TEXT,
    protocol        TEXT,
    tls_protocol    TEXT,
    tls_cipher      TEXT,
    sasl_method     TEXT,
    sasl_user       TEXT,
    sender          TEXT    NOT NULL,              -- '' is the null sender
    subject         TEXT    NOT NULL,
    size            INTEGER NOT NULL,              -- bytes of the stored file
    verdict_class   TEXT    NOT NULL,
    virus           TEXT,
    spam_score      REAL,
    symbols         TEXT    NOT NULL,              -- JSON array of rspamd symbol names
    reason          TEXT    NOT NULL,
    rule            TEXT    NOT NULL,              -- Origin of the deciding rule, file:line
    declared_size   INTEGER NOT NULL,              -- MAIL FROM SIZE=, -1 when none
    body_type       TEXT    NOT NULL,              -- SEVEN_BIT | EIGHT_BIT_MIME | BINARY_MIME
    smtputf8        INTEGER NOT NULL,              -- 0 | 1
    ret             TEXT,                          -- FULL | HDRS
    envid           TEXT,
    envelope_filter TEXT                           -- FILTER transport:nexthop, if any
);

CREATE INDEX messages_time ON messages (time);
CREATE INDEX messages_class_time ON messages (verdict_class, time);

CREATE TABLE recipients (
    message_id  TEXT    NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    address     TEXT    NOT NULL,
    notify      TEXT    NOT NULL,                  -- NOTIFY values, comma-separated; '' when none given
    orcpt       TEXT,
    state       TEXT    NOT NULL CHECK (state IN ('quarantined', 'releasing', 'released', 'deleted')),
    state_time  INTEGER NOT NULL,
    who         TEXT,
    PRIMARY KEY (message_id, address)
);

CREATE INDEX recipients_state ON recipients (state, state_time);
