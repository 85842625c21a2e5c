-- The widget's id of a lead submission: sent again after a network error, it finds the lead
-- stored the first time instead of storing it twice.
ALTER TABLE leads ADD COLUMN submission_id text;
CREATE UNIQUE INDEX leads_submission_idx ON leads (conversation_id, submission_id)
    WHERE submission_id IS NOT NULL;
