-- 005: summaries read a period's records per report as (source_ip, count, aligned results,
-- disposition). Covering those columns lets SQLite read the index alone, one report's records
-- being one contiguous range of it, instead of the wide records rows (bench --only=summary:
-- reading 1,000,000 records 0.49 s -> 0.32 s). It starts with report_id, so it also serves what
-- records_report served (a report's records, ON DELETE CASCADE), which goes.
CREATE INDEX records_summary ON records (report_id, source_ip, count, dkim_aligned, spf_aligned, disposition);
DROP INDEX records_report;
