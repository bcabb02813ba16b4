-- The payout workflow: withdrawal statuses, manual adjustments and the audit log of manual actions.

alter table withdrawals add column status text not null default 'approved';
alter table withdrawals add column history jsonb not null default '[]';
alter table postings add column adjustment_id text;

create table adjustments (
  tenant_id text not null,
  id        text not null,
  member    text not null,
  at        timestamptz not null,
  amount    bigint not null,
  reason    text not null,
  by_key    text,
  event_seq bigint not null,
  primary key (tenant_id, id)
);

-- Who did what, when and why: every manual action (approvals, adjustments, levels set by hand,
-- plan publishing, keys, webhooks, payout batches). Append-only.
create table audit_log (
  tenant_id  text not null,
  id         bigserial,
  at         timestamptz not null default now(),
  actor      text not null,
  action     text not null,
  target     text,
  reason     text,
  details    jsonb not null default '{}',
  primary key (tenant_id, id)
);
create index audit_log_action on audit_log (tenant_id, action);
