DROP TRIGGER service_categories_deleted ON service_categories;
DROP TRIGGER service_categories_updated ON service_categories;
DROP TRIGGER service_categories_inserted ON service_categories;
DROP TRIGGER services_deleted ON services;
DROP TRIGGER services_updated ON services;
DROP TRIGGER services_inserted ON services;
DROP FUNCTION carbot_bump_catalog_revision();
ALTER TABLE workshops DROP COLUMN catalog_revision;
