-- +goose Up
-- Each enrollment's state for the engine in one narrow row: who and where (project, household,
-- person, entry date), whether it is open, and its latest activity. Previews read it instead of
-- joining the wide Enrollment rows, all Exit rows and the activity summary (BENCHMARKS.md §2).
-- Imports keep the identity and activity columns current for the enrollments they touch
-- (engine.RefreshState); `open` follows every change to hmis.exit through the triggers below, so
-- the engine's own exits, undos, imports and any hand-made fix all keep it right in the same
-- transaction. Soft-deleted enrollments have no row.
CREATE TABLE exitflow.enrollment_state (
    enrollmentid   text PRIMARY KEY,
    projectid      text NOT NULL,
    householdid    text NOT NULL,
    personalid     text NOT NULL,
    entrydate      date NOT NULL,
    open           boolean NOT NULL, -- no live Exit row (SPEC H2, H3)
    last_date      date,  -- latest activity of any A1 source, as recorded (NULL: none)
    last_source    text,  -- its source: service, bed-night, current-living-situation, assessment, event, update-assessment, custom
    last_bed_night date   -- latest bed night (Services RecordType 200), for A4 and D2
) WITH (fillfactor = 70); -- room for HOT updates of `open`: an exit run may close 40 % of a project's rows

INSERT INTO exitflow.enrollment_state
SELECT e.enrollmentid, e.projectid, e.householdid, e.personalid, e.entrydate, x.enrollmentid IS NULL,
       a.last_date, a.last_source, a.last_bed_night
FROM hmis.enrollment e
LEFT JOIN hmis.exit x ON x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL
LEFT JOIN exitflow.enrollment_activity a ON a.enrollmentid = e.enrollmentid
WHERE e.datedeleted IS NULL
ORDER BY e.projectid, e.householdid;

-- Previews take the policy projects' households in order.
CREATE INDEX enrollment_state_household ON exitflow.enrollment_state (projectid, householdid);
DROP TABLE exitflow.enrollment_activity;

-- +goose StatementBegin
CREATE FUNCTION exitflow.exit_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The common case (an exit run's batch, an import): a live Exit closes its enrollment.
        UPDATE exitflow.enrollment_state s SET open = false
        FROM new_rows n
        WHERE s.enrollmentid = n.enrollmentid AND n.datedeleted IS NULL AND s.open;
    ELSIF TG_OP = 'TRUNCATE' THEN
        UPDATE exitflow.enrollment_state SET open = true WHERE NOT open;
    ELSE
        -- Undo (DateDeleted set), a corrected or deleted Exit: recompute from the live rows.
        UPDATE exitflow.enrollment_state s
        SET open = NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = s.enrollmentid AND x.datedeleted IS NULL)
        WHERE s.enrollmentid IN (SELECT enrollmentid FROM old_rows)
          AND s.open = EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = s.enrollmentid AND x.datedeleted IS NULL);
        IF TG_OP = 'UPDATE' THEN -- an Exit moved to another enrollment
            UPDATE exitflow.enrollment_state s SET open = false
            FROM new_rows n
            WHERE s.enrollmentid = n.enrollmentid AND n.datedeleted IS NULL AND s.open;
        END IF;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER exit_inserted AFTER INSERT ON hmis.exit REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exitflow.exit_changed();
CREATE TRIGGER exit_updated AFTER UPDATE ON hmis.exit REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exitflow.exit_changed();
CREATE TRIGGER exit_deleted AFTER DELETE ON hmis.exit REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exitflow.exit_changed();
CREATE TRIGGER exit_truncated AFTER TRUNCATE ON hmis.exit
    FOR EACH STATEMENT EXECUTE FUNCTION exitflow.exit_changed();

-- +goose Down
DROP TRIGGER exit_truncated ON hmis.exit;
DROP TRIGGER exit_deleted ON hmis.exit;
DROP TRIGGER exit_updated ON hmis.exit;
DROP TRIGGER exit_inserted ON hmis.exit;
DROP FUNCTION exitflow.exit_changed();
CREATE TABLE exitflow.enrollment_activity (
    enrollmentid   text PRIMARY KEY,
    last_date      date NOT NULL,
    last_source    text NOT NULL,
    last_bed_night date
);
INSERT INTO exitflow.enrollment_activity
SELECT enrollmentid, last_date, last_source, last_bed_night FROM exitflow.enrollment_state WHERE last_date IS NOT NULL;
DROP TABLE exitflow.enrollment_state;
