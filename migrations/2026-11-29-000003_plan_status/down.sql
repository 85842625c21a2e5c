ALTER TABLE workshops DROP COLUMN subscription_active;
