-- The journal of an award's last change that moved money (null: none did, an award made at zero).
-- Polling (src/api/award-changes.ts) answers an award in the window of postings that holds this
-- journal, in journal order: a page then reads about a window of postings even inside one event
-- larger than a window (a catch-up tick settling hundreds of thousands of awards), where key order
-- made every page read the whole event again. Rows written before this migration get the journal
-- from their postings: the last one of the award at the award's position (updated_seq).
alter table awards add column updated_journal bigint;

update awards a set updated_journal = last.journal
from (
  select tenant_id, event_seq, member, order_id, period, rule, max(journal) as journal
  from postings
  where member is not null and rule is not null
  group by tenant_id, event_seq, member, order_id, period, rule
) last
where a.tenant_id = last.tenant_id and a.updated_seq = last.event_seq and a.member = last.member and a.rule = last.rule
  and a.order_id is not distinct from last.order_id and a.period is not distinct from last.period;
