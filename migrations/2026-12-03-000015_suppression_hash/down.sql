-- The addresses cannot be recovered from their hashes: the hashes take their place.
ALTER TABLE mail_suppressions RENAME COLUMN address_sha256 TO address;
