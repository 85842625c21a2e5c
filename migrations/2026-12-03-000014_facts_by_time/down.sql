DROP INDEX facts_by_time_idx;
