ALTER TABLE client_keys DROP COLUMN paused_by_plan;
DROP TABLE stripe_events;
DROP TABLE invoices;
DROP TABLE stripe_subscriptions;
DROP TABLE billing_accounts;
ALTER TABLE workshops ADD COLUMN subscription_active boolean NOT NULL DEFAULT false;
UPDATE workshops SET subscription_active = (billing_status = 'ACTIVE');
ALTER TABLE workshops
    DROP COLUMN trial_reminder_sent_at,
    DROP COLUMN access_until,
    DROP COLUMN billing_status;
