-- Every widget script a release of CarBot served, by its file name (which carries its hash):
-- embed codes pinned with Subresource Integrity keep loading the release they were copied from.
CREATE TABLE widget_releases (
    file            text PRIMARY KEY,
    integrity       text NOT NULL,
    script          text NOT NULL,
    first_served_at timestamptz NOT NULL DEFAULT now()
);
