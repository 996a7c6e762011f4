-- activity: each enrollment's latest activity (enrollmentid, last_date, last_source, last_bed_night):
-- the latest date of every source, rows not soft-deleted, dates not null. When two sources share the
-- latest date, the first in this order names it: bed-night, service, current-living-situation,
-- assessment, event, update-assessment, custom. A fragment of state.sql, as {activity}.
-- SPEC A1, A4
-- {in}: nothing (every enrollment), or "AND enrollmentid IN (...)" to restrict each activity table
--       to some enrollments (an import's, see queries.go)
-- No parameters.
-- psql: delete the {in} markers and run it as it is.
WITH latest AS (
    SELECT enrollmentid, max(dateprovided) AS d, CASE WHEN recordtype = 200 THEN 'bed-night' ELSE 'service' END AS source
      FROM hmis.services WHERE datedeleted IS NULL AND dateprovided IS NOT NULL {in} GROUP BY 1, 3
    UNION ALL
    SELECT enrollmentid, max(informationdate), 'current-living-situation'
      FROM hmis.currentlivingsituation WHERE datedeleted IS NULL AND informationdate IS NOT NULL {in} GROUP BY 1
    UNION ALL
    SELECT enrollmentid, max(assessmentdate), 'assessment'
      FROM hmis.assessment WHERE datedeleted IS NULL AND assessmentdate IS NOT NULL {in} GROUP BY 1
    UNION ALL -- EventDate and ResultDate both count
    SELECT enrollmentid, max(greatest(eventdate, resultdate)), 'event'
      FROM hmis.event WHERE datedeleted IS NULL {in} GROUP BY 1
    UNION ALL -- update (2) and annual (5) assessments
    SELECT enrollmentid, max(informationdate), 'update-assessment' FROM (
        SELECT enrollmentid, informationdate FROM hmis.incomebenefits WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL {in}
        UNION ALL
        SELECT enrollmentid, informationdate FROM hmis.healthanddv WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL {in}
        UNION ALL
        SELECT enrollmentid, informationdate FROM hmis.disabilities WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL {in}
        UNION ALL
        SELECT enrollmentid, informationdate FROM hmis.employmenteducation WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL {in}
    ) u WHERE informationdate IS NOT NULL GROUP BY 1
    UNION ALL -- vendor activity without a HUD file
    SELECT enrollmentid, max(activitydate), 'custom'
      FROM hmis.customactivity WHERE datedeleted IS NULL AND activitydate IS NOT NULL {in} GROUP BY 1
)
SELECT enrollmentid, max(d),
       (array_agg(source ORDER BY d DESC, array_position(ARRAY['bed-night', 'service', 'current-living-situation',
            'assessment', 'event', 'update-assessment', 'custom'], source)))[1],
       max(d) FILTER (WHERE source = 'bed-night')
FROM latest GROUP BY enrollmentid
