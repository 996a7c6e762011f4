-- agreement_counts: one row for agreement $1: its candidates (enrollments, households), those exited
-- by people (a live Exit the engine did not write), the Exit rows the engine wrote for the
-- agreement's workflow (not undone), and the candidates still open.
-- SPEC AG5, AG8, F3, U2, S1
-- $1 text: the agreement (exitflow.agreement.agreement_id)
-- psql: PREPARE q(text) AS <the output of exitflow sql agreement_counts>; EXECUTE q('A1');
WITH a AS (
    SELECT agreement_id, workflow_id FROM exitflow.agreement WHERE agreement_id = $1
),
c AS ( -- each candidate and its live Exit, if any, and whether the engine wrote it (F3)
    SELECT ac.enrollmentid, ac.projectid, ac.householdid, x.exitid,
           EXISTS (SELECT 1 FROM exitflow.engine_exit ee WHERE ee.exitid = x.exitid) AS by_engine
    FROM exitflow.agreement_candidate ac
    JOIN a USING (agreement_id)
    LEFT JOIN LATERAL (
        SELECT e.exitid FROM hmis.exit e
        WHERE e.enrollmentid = ac.enrollmentid AND e.datedeleted IS NULL
        ORDER BY e.exitid COLLATE "C" LIMIT 1
    ) x ON true
)
SELECT (SELECT count(*) FROM c)::int AS candidates,
       (SELECT count(DISTINCT (projectid, householdid)) FROM c)::int AS households,
       (SELECT count(*) FROM c WHERE c.exitid IS NOT NULL AND NOT c.by_engine)::int AS by_people,
       (SELECT count(*) FROM exitflow.engine_exit ee JOIN a ON ee.workflow_id = a.workflow_id
         WHERE ee.undone_at IS NULL)::int AS by_engine,
       (SELECT count(*) FROM c WHERE c.exitid IS NULL)::int AS still_open,
       EXISTS (SELECT 1 FROM a) AS found
