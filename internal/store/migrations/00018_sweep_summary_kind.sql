-- +goose Up
-- The sweep-summary notification (SPEC N3): the HMIS staff get the counts of each auto-exit
-- sweep, by project. The kind CHECK of 00015 (notification_kind_check) is replaced by one that
-- allows it, after SPEC N3's kinds.
ALTER TABLE exitflow.notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE exitflow.notification ADD CONSTRAINT notification_kind_check
    CHECK (kind IN ('agreement-notice', 'period-ending-reminder', 'process-begins',
        'completion', 'acknowledgement-reminder', 'escalation', 'agreement-change', 'auto-alert',
        'auto-exit-done', 'housed-exit-proposal', 'hoh-redesignation', 'dqm-report', 'sweep-summary'));

-- +goose Down
-- Restores 00015's list. It deletes nothing: if sweep-summary notifications were recorded, adding
-- the old CHECK fails (the rows violate it) and the downgrade stops until they are dealt with by
-- hand (e.g. exported and deleted).
ALTER TABLE exitflow.notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE exitflow.notification ADD CONSTRAINT notification_kind_check
    CHECK (kind IN ('agreement-notice', 'period-ending-reminder', 'process-begins',
        'completion', 'acknowledgement-reminder', 'escalation', 'agreement-change', 'auto-alert',
        'auto-exit-done', 'housed-exit-proposal', 'hoh-redesignation', 'dqm-report'));
