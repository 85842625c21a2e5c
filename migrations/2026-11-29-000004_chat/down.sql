DROP TABLE assistant_usage;
DROP TABLE events;
DROP TABLE lead_notes;
DROP TABLE leads;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE client_keys;
ALTER TABLE workshops DROP COLUMN widget_greeting, DROP COLUMN widget_position, DROP COLUMN consent_text;
