-- exit_insert: a fragment of write_fresh.sql and write_guarded.sql: inserts the Exit rows of the
-- candidates {from} (aliased b), one real Exit row per enrollment, DateCreated = DateUpdated = $4
-- (the CoC's wall clock), UserID the engine's, ExportID $5; every other column NULL unless the
-- project's exit defaults set it.
-- SPEC F1, F2, F3, P5, D1
-- {from}: the candidates (write_fresh.sql: the batch's rows of exitflow.exit_run_candidate; write_guarded.sql: its CTE b)
-- {engine_user}: the engine's HMIS UserID, quoted
-- {cols}, {vals}: the exit-default columns of this database's hmis.exit and their values from the
--                 candidate's policy, filled in per run (empty: no default columns)
-- psql: a fragment; run write_fresh.sql or write_guarded.sql
    INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, destinationsubsidytype{cols},
                           datecreated, dateupdated, userid, exportid)
    SELECT b.exitid, b.enrollmentid, b.personalid, b.exit_date, b.destination, b.subsidy{vals},
           $4::timestamp, $4::timestamp, {engine_user}, $5::text
    FROM {from}
    ORDER BY b.seq
