ALTER TABLE workshops
    DROP COLUMN legal_name,
    DROP COLUMN managing_director,
    DROP COLUMN commercial_register,
    DROP COLUMN vat_id;
