ALTER TABLE leads DROP COLUMN first_response_at;
DROP TABLE facts;
