DROP TABLE widget_releases;
