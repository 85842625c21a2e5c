-- Impressum (legal notice) data a German business must publish; shown in the console's settings.
ALTER TABLE workshops
    ADD COLUMN legal_name          text,
    ADD COLUMN managing_director   text,
    ADD COLUMN commercial_register text,
    ADD COLUMN vat_id              text;
