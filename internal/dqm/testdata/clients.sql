-- Every client of the fixtures gets a name, an SSN and a date of birth (an adult's, unless a fixture
-- gave the client one before), none of which any report may show (SPEC N2, S1). Loaded last.
INSERT INTO hmis.client (personalid, firstname, lastname, ssn, dob, datecreated, dateupdated, exportid)
SELECT p.personalid, 'Marisol' || p.personalid, 'Vandermeer' || p.personalid,
       '9' || lpad(p.n::text, 8, '0'), date '1961-02-03' + p.n * 101, '2024-01-01', '2024-01-01', 'T'
FROM (SELECT personalid, row_number() OVER (ORDER BY personalid)::int AS n
      FROM (SELECT DISTINCT personalid FROM hmis.enrollment) d) p
WHERE NOT EXISTS (SELECT 1 FROM hmis.client c WHERE c.personalid = p.personalid);
