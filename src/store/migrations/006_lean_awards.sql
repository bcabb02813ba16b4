-- Awards keep only what is read back from the table (lists, polling, verify). Explanations are
-- recomputed by the engine when asked (GET /v1/awards/explain), and an award's changes are its
-- postings: writing both with every award cost more than the rest of the row.
alter table awards drop column explanations;
alter table awards drop column changes;

-- An award's row changes after it is written (settlement, refund adjustments), and a member's
-- balance with every batch: room left on each page lets PostgreSQL update a row in place (a HOT
-- update) without new entries in every index.
alter table awards set (fillfactor = 70);
alter table balances set (fillfactor = 50);
