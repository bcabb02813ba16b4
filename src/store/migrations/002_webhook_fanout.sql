-- The webhook dispatcher marks each outbox row once it has created its deliveries (one per
-- subscribed webhook), so that rows are fanned out exactly once whatever order they commit in.
alter table outbox add column fanned_out_at timestamptz;
create index outbox_fanout on outbox (id) where fanned_out_at is null
