-- A workshop's catalog revision goes up with every change to its services or categories, in
-- the same transaction: every `carbot serve` process keeps the catalog prepared for the
-- assistant and knows from the workshop row (which it reads anyway) when to prepare it again.
ALTER TABLE workshops ADD COLUMN catalog_revision bigint NOT NULL DEFAULT 0;

CREATE FUNCTION carbot_bump_catalog_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workshops SET catalog_revision = catalog_revision + 1
    WHERE id IN (SELECT DISTINCT workshop_id FROM changed_rows);
    RETURN NULL;
END
$$;

CREATE TRIGGER services_inserted AFTER INSERT ON services
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carbot_bump_catalog_revision();
CREATE TRIGGER services_updated AFTER UPDATE ON services
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carbot_bump_catalog_revision();
CREATE TRIGGER services_deleted AFTER DELETE ON services
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carbot_bump_catalog_revision();
CREATE TRIGGER service_categories_inserted AFTER INSERT ON service_categories
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carbot_bump_catalog_revision();
CREATE TRIGGER service_categories_updated AFTER UPDATE ON service_categories
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carbot_bump_catalog_revision();
CREATE TRIGGER service_categories_deleted AFTER DELETE ON service_categories
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carbot_bump_catalog_revision();
