DROP TABLE mail_suppressions;
DROP TABLE outbox;
DROP TABLE invitations;
DROP TABLE account_tokens;
DROP INDEX leads_reminder_due_idx;
ALTER TABLE leads DROP COLUMN reminder_sent_at;
ALTER TABLE memberships
    DROP COLUMN notify_new_lead,
    DROP COLUMN notify_reminder,
    DROP COLUMN notify_daily_summary;
ALTER TABLE users DROP COLUMN email_verified_at, DROP COLUMN locale;
ALTER TABLE workshops
    DROP COLUMN organization_id,
    DROP COLUMN lead_reminder_minutes,
    DROP COLUMN daily_summary_sent_on;
DROP TABLE organizations;
