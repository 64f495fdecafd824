-- 007: a record without policy_evaluated, or without its dkim or spf (seen in AOL-style reports,
-- issue 12 #1), is stored with NULL alignment, and `NULL = 'pass'` is NULL: the FLAG expression
-- of records_summary (005, 006) then made the whole kind NULL, which summaries read as source 0.
-- `IS 'pass'` is 0 or 1 for every stored value, so such a record counts as its source's messages,
-- not passing DMARC unless one alignment says pass. src/store/summary-queries.ts FLAGS is this
-- expression (the summary reads the index alone: test/store/summary-queries.test.ts).
DROP INDEX records_summary;
CREATE INDEX records_summary ON records (
  report_id, source_id, count,
  ((dkim_aligned IS 'pass') * 1 + (spf_aligned IS 'pass') * 2
    + (CASE disposition WHEN 'quarantine' THEN 4 WHEN 'reject' THEN 8 ELSE 0 END))
);
