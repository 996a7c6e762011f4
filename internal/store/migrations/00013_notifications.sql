-- +goose Up
-- Notifications (SPEC N1–N4): every message exitflow mails is recorded here BEFORE it is sent,
-- with what it is about (IDs, counts and dates only: SPEC N2) and what became of it. The
-- idempotency key (a workflow: its ID and step) makes a retried activity find the message it
-- already sent instead of sending it again; the Message-ID is derived from the key, so that a
-- message sent twice after a crash between SMTP acceptance and recording is one message to its
-- receiver. The row holds the whole message (parts and attachments) so that
-- `exitflow notifications show` can write it again as an .eml file.
CREATE TABLE exitflow.notification (
    id              bigserial PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    kind            text NOT NULL CHECK (kind IN ('agreement-notice', 'period-ending-reminder', 'process-begins',
                        'completion', 'acknowledgement-reminder', 'escalation', 'auto-alert', 'auto-exit-done',
                        'housed-exit-proposal', 'hoh-redesignation', 'dqm-report')),
    -- One recipient per message; stored trimmed and lower-cased, as exitflow.contact keeps addresses.
    recipient       text NOT NULL CHECK (recipient = lower(btrim(recipient)) AND recipient LIKE '_%@_%'),
    sender          text NOT NULL,          -- the From address when it was recorded (retries keep it)
    subject         text NOT NULL CHECK (subject <> ''),
    about           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(about) = 'object'),
    message_id      text NOT NULL UNIQUE,   -- without the angle brackets
    text_body       text NOT NULL,
    html_body       text NOT NULL DEFAULT '', -- '': a plain-text message
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),  -- SMTP deliveries started
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempted_at    timestamptz,            -- when the last delivery started
    sent_at         timestamptz,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CHECK (status = 'pending' OR attempts > 0)
);
CREATE INDEX notification_recipient ON exitflow.notification (recipient, created_at);
CREATE INDEX notification_kind ON exitflow.notification (kind, created_at);
CREATE INDEX notification_about ON exitflow.notification USING gin (about jsonb_path_ops);

-- The files attached to a message (a DQM report's measures.csv and findings.csv), bytes included.
CREATE TABLE exitflow.notification_attachment (
    notification_id bigint NOT NULL REFERENCES exitflow.notification (id) ON DELETE CASCADE,
    seq             integer NOT NULL,
    name            text NOT NULL CHECK (name <> ''),
    content_type    text NOT NULL,
    size            integer NOT NULL,
    content         bytea NOT NULL,
    PRIMARY KEY (notification_id, seq),
    UNIQUE (notification_id, name),
    CHECK (size = octet_length(content))
);

-- +goose Down
DROP TABLE exitflow.notification_attachment;
DROP TABLE exitflow.notification;
