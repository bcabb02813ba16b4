-- Postings are looked up by member (statements, reports) only with `member = …`; half of them
-- (the platform's side of each journal) have no member. A partial index leaves those out: half
-- the index to write with every batch and to keep in memory.
create index postings_of_members on postings (tenant_id, member) where member is not null;
drop index postings_member;
