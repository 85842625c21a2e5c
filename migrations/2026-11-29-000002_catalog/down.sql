DROP TABLE services;
DROP TABLE service_categories;
DROP FUNCTION carbot_service_terms(text, text[]);
DROP FUNCTION carbot_fold(text);
DROP EXTENSION IF EXISTS unaccent;
DROP EXTENSION IF EXISTS pg_trgm;
