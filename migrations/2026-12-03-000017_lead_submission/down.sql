DROP INDEX leads_submission_idx;
ALTER TABLE leads DROP COLUMN submission_id;
