-- An order's awards are one range of the primary key: their keys all start `order:<order>/`
-- (src/service/award-key.ts, orderKeyRange), and in byte order (collation "C") nothing else falls
-- between `order:<order>/` and `order:<order>0`. The listing by order reads that range, and the
-- index on order_id goes: one index fewer to write for every award made (a third of the cost of
-- inserting an award row, measured on 1,000,000 rows). Byte order is also what the default
-- collation C.UTF-8 gives; under a language's collation, keys that differ in punctuation used to
-- sort apart from where they sort now (a cursor taken before this upgrade may answer a few awards twice).
alter table awards alter column award_key type text collate "C";
drop index awards_order;
