-- A bounced address is kept as its SHA-256 (of the lower-case address) only: the suppression
-- still holds, and no readable address of a person stays behind once they are erased. The
-- reason (the mail server's answer) loses any address it quoted.
CREATE TABLE mail_suppressions_hashed (
    address_sha256 text PRIMARY KEY,
    reason         text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO mail_suppressions_hashed (address_sha256, reason, created_at)
SELECT DISTINCT ON (1) encode(sha256(convert_to(lower(btrim(address)), 'UTF8')), 'hex'),
       regexp_replace(reason, '[^[:space:]<>"'';,]+@[^[:space:]<>"'';,]+', '…', 'g'),
       created_at
FROM mail_suppressions ORDER BY 1, created_at;
DROP TABLE mail_suppressions;
ALTER TABLE mail_suppressions_hashed RENAME TO mail_suppressions;
ALTER INDEX mail_suppressions_hashed_pkey RENAME TO mail_suppressions_pkey;
