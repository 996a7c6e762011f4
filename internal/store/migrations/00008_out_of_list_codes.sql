-- +goose Up
-- Codes outside HUD's lists are imported as sent (SPEC IO3, docs/rules.md "Codes outside HUD's
-- lists"); the engine reads them conservatively, and these functions are where it decides.

-- SPEC P1, P2: whether a ProjectType is in the HUD list (2.02.6). internal/hmis.Codes is the same
-- list; TestHUDProjectTypeMatchesTheSpec keeps them equal.
CREATE FUNCTION exitflow.hud_project_type(t integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN t IN (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14);

-- SPEC PD3b, Q1: a permanent destination is any Destination in the 400s, legacy subsidy codes
-- (419, 434, 440) written in Destination included.
CREATE FUNCTION exitflow.permanent_destination(d integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN d BETWEEN 400 AND 499;

-- P1, P2 as in 00003, except that a project whose ProjectType is not a HUD code takes no
-- project-type, default or built-in policy: only one set for the project or its organization
-- (auto exit is never switched on for it by a rule written for other project types).
CREATE OR REPLACE VIEW exitflow.effective_policy AS
SELECT p.projectid, p.organizationid, p.projecttype, p.rrhsubtype,
       pol.scope, pol.scope_id, pol.auto_exit_days, pol.alert_days, pol.nbn_benchmark, pol.exit_defaults
FROM hmis.project p
CROSS JOIN LATERAL (
    SELECT x.scope, x.scope_id, x.auto_exit_days, x.alert_days, x.nbn_benchmark, x.exit_defaults
    FROM (
        SELECT 1 AS rank, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'project' AND scope_id = p.projectid
        UNION ALL
        SELECT 2, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'organization' AND scope_id = p.organizationid
        UNION ALL
        SELECT 3, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'project-type' AND scope_id = p.projecttype::text
                                 AND exitflow.hud_project_type(p.projecttype)
        UNION ALL
        SELECT 4, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'default' AND exitflow.hud_project_type(p.projecttype)
        UNION ALL -- P2: SSO and Other 90/80, Street Outreach 365/300, every other type (and an unknown one) off
        SELECT 5, 'built-in', '',
               CASE WHEN p.projecttype IN (6, 7) THEN 90 WHEN p.projecttype = 4 THEN 365 END,
               CASE WHEN p.projecttype IN (6, 7) THEN 80 WHEN p.projecttype = 4 THEN 300 END,
               'last-bed-night', '{}'::jsonb
    ) x
    ORDER BY x.rank
    LIMIT 1
) pol
WHERE p.datedeleted IS NULL;

-- +goose Down
CREATE OR REPLACE VIEW exitflow.effective_policy AS
SELECT p.projectid, p.organizationid, p.projecttype, p.rrhsubtype,
       pol.scope, pol.scope_id, pol.auto_exit_days, pol.alert_days, pol.nbn_benchmark, pol.exit_defaults
FROM hmis.project p
CROSS JOIN LATERAL (
    SELECT x.scope, x.scope_id, x.auto_exit_days, x.alert_days, x.nbn_benchmark, x.exit_defaults
    FROM (
        SELECT 1 AS rank, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'project' AND scope_id = p.projectid
        UNION ALL
        SELECT 2, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'organization' AND scope_id = p.organizationid
        UNION ALL
        SELECT 3, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'project-type' AND scope_id = p.projecttype::text
        UNION ALL
        SELECT 4, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'default'
        UNION ALL
        SELECT 5, 'built-in', '',
               CASE WHEN p.projecttype IN (6, 7) THEN 90 WHEN p.projecttype = 4 THEN 365 END,
               CASE WHEN p.projecttype IN (6, 7) THEN 80 WHEN p.projecttype = 4 THEN 300 END,
               'last-bed-night', '{}'::jsonb
    ) x
    ORDER BY x.rank
    LIMIT 1
) pol
WHERE p.datedeleted IS NULL;
DROP FUNCTION exitflow.permanent_destination(integer);
DROP FUNCTION exitflow.hud_project_type(integer);
