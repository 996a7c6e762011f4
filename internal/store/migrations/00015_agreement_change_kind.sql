-- +goose Up
-- The agreement-change notification (SPEC AG3, N3): the liaisons and the HMIS staff member are
-- told when an agreement is extended, paused by a reported issue, resumed or cancelled. The kind
-- CHECK of 00013 (unnamed there, so PostgreSQL's notification_kind_check) is replaced by one that
-- allows it, in SPEC N3's order.
ALTER TABLE exitflow.notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE exitflow.notification ADD CONSTRAINT notification_kind_check
    CHECK (kind IN ('agreement-notice', 'period-ending-reminder', 'process-begins',
        'completion', 'acknowledgement-reminder', 'escalation', 'agreement-change', 'auto-alert',
        'auto-exit-done', 'housed-exit-proposal', 'hoh-redesignation', 'dqm-report'));

-- +goose Down
-- Restores 00013's list. It deletes nothing: if agreement-change notifications were recorded,
-- adding the old CHECK fails (the rows violate it) and the downgrade stops until they are dealt
-- with by hand (e.g. exported and deleted).
ALTER TABLE exitflow.notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE exitflow.notification ADD CONSTRAINT notification_kind_check
    CHECK (kind IN ('agreement-notice', 'period-ending-reminder', 'process-begins',
        'completion', 'acknowledgement-reminder', 'escalation', 'auto-alert', 'auto-exit-done',
        'housed-exit-proposal', 'hoh-redesignation', 'dqm-report'));
