-- +goose Up
-- SPEC N5, S2: contacts and assigned staff managed through `exitflow contact` and `exitflow assignment`.
-- exitflow.contact gains the CoC's HMIS staff (role hmis-staff, no organization: they belong to
-- the CoC); a name may be left empty; e-mail addresses are stored trimmed and lower-cased (a
-- trigger normalizes what is written, a CHECK keeps it so) and are unique per role and
-- organization. exitflow.assignment gets the same e-mail rule and an empty staff name by default
-- (`assignment import` only knows e-mail addresses).

CREATE FUNCTION exitflow.normal_email(e text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
    RETURN lower(btrim(e));

-- The addresses that differ only by case or surrounding blanks are one address: keep the oldest.
DELETE FROM exitflow.contact c USING exitflow.contact d
WHERE c.organizationid = d.organizationid AND c.role = d.role
  AND exitflow.normal_email(c.email) = exitflow.normal_email(d.email)
  AND (c.created_at, c.ctid) > (d.created_at, d.ctid);
UPDATE exitflow.contact SET email = exitflow.normal_email(email), name = btrim(name)
WHERE email <> exitflow.normal_email(email) OR name <> btrim(name);
DELETE FROM exitflow.assignment a USING exitflow.assignment b
WHERE a.enrollmentid = b.enrollmentid
  AND exitflow.normal_email(a.email) = exitflow.normal_email(b.email)
  AND (a.created_at, a.ctid) > (b.created_at, b.ctid);
UPDATE exitflow.assignment SET email = exitflow.normal_email(email), staff_name = btrim(staff_name)
WHERE email <> exitflow.normal_email(email) OR staff_name <> btrim(staff_name);

ALTER TABLE exitflow.contact DROP CONSTRAINT contact_pkey;
ALTER TABLE exitflow.contact DROP CONSTRAINT contact_role_check;
ALTER TABLE exitflow.contact ALTER COLUMN organizationid DROP NOT NULL;
ALTER TABLE exitflow.contact ALTER COLUMN name SET DEFAULT '';
ALTER TABLE exitflow.contact
    ADD CONSTRAINT contact_role_check CHECK (role IN ('liaison', 'notification', 'hmis-staff')),
    -- Liaisons and notification contacts belong to an organization (an agency); HMIS staff to the CoC.
    ADD CONSTRAINT contact_organization_check CHECK ((organizationid IS NULL) = (role = 'hmis-staff')),
    ADD CONSTRAINT contact_email_normal CHECK (email = exitflow.normal_email(email)),
    -- One row per role, organization (none for HMIS staff) and address.
    ADD CONSTRAINT contact_key UNIQUE NULLS NOT DISTINCT (role, organizationid, email);
CREATE INDEX contact_email ON exitflow.contact (email);

ALTER TABLE exitflow.assignment ALTER COLUMN staff_name SET DEFAULT '';
ALTER TABLE exitflow.assignment ADD CONSTRAINT assignment_email_normal CHECK (email = exitflow.normal_email(email));

-- +goose StatementBegin
CREATE FUNCTION exitflow.contact_normalize() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.email := exitflow.normal_email(NEW.email);
    IF TG_TABLE_NAME = 'assignment' THEN
        NEW.staff_name := btrim(coalesce(NEW.staff_name, ''));
    ELSE
        NEW.name := btrim(coalesce(NEW.name, ''));
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER contact_normalize BEFORE INSERT OR UPDATE ON exitflow.contact
    FOR EACH ROW EXECUTE FUNCTION exitflow.contact_normalize();
CREATE TRIGGER assignment_normalize BEFORE INSERT OR UPDATE ON exitflow.assignment
    FOR EACH ROW EXECUTE FUNCTION exitflow.contact_normalize();

-- +goose Down
DROP TRIGGER assignment_normalize ON exitflow.assignment;
DROP TRIGGER contact_normalize ON exitflow.contact;
DROP FUNCTION exitflow.contact_normalize();
ALTER TABLE exitflow.assignment DROP CONSTRAINT assignment_email_normal;
ALTER TABLE exitflow.assignment ALTER COLUMN staff_name DROP DEFAULT;
DROP INDEX exitflow.contact_email;
ALTER TABLE exitflow.contact
    DROP CONSTRAINT contact_key,
    DROP CONSTRAINT contact_email_normal,
    DROP CONSTRAINT contact_organization_check,
    DROP CONSTRAINT contact_role_check;
DELETE FROM exitflow.contact WHERE role = 'hmis-staff';
ALTER TABLE exitflow.contact ALTER COLUMN name DROP DEFAULT;
ALTER TABLE exitflow.contact ALTER COLUMN organizationid SET NOT NULL;
ALTER TABLE exitflow.contact
    ADD CONSTRAINT contact_role_check CHECK (role IN ('liaison', 'notification')),
    ADD PRIMARY KEY (organizationid, role, email);
DROP FUNCTION exitflow.normal_email(text);
