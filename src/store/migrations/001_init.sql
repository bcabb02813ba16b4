-- fenyong schema v1. Every table of tenant data leads with tenant_id: it is the isolation key in
-- every query and the distribution column when tenants are spread over nodes (docs/scaling.md).
-- Amounts are bigint minor units.

create table tenants (
  id          text primary key,
  name        text not null,
  timezone    text not null,
  currency    text not null,
  -- sequence number of the last event applied (the tenant's log position)
  last_seq    bigint not null default 0,
  created_at  timestamptz not null default now()
);

create table api_keys (
  id          text primary key,
  tenant_id   text not null references tenants(id),
  scope       text not null check (scope in ('admin', 'ingest', 'read')),
  -- sha256 of the secret; the secret itself is shown once and never stored
  secret_hash text not null,
  label       text,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);
create index api_keys_tenant on api_keys (tenant_id);

create table plan_versions (
  tenant_id      text not null references tenants(id),
  version        integer not null,
  effective_from timestamptz,
  plan           jsonb not null,
  findings       jsonb not null default '[]',
  created_at     timestamptz not null default now(),
  primary key (tenant_id, version)
);

-- The append-only log of accepted events: replaying it rebuilds the tenant's engine exactly.
create table events (
  tenant_id   text not null,
  seq         bigint not null,
  event_key   text,
  type        text not null,
  at          timestamptz not null,
  payload     jsonb not null,
  source      text not null,
  received_at timestamptz not null default now(),
  primary key (tenant_id, seq)
);
create unique index events_key on events (tenant_id, event_key) where event_key is not null;

create table rejected_events (
  tenant_id   text not null,
  id          bigserial,
  event_key   text,
  type        text,
  payload     jsonb not null,
  code        text not null,
  message     text not null,
  path        jsonb,
  source      text not null,
  received_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- Double-entry postings; every journal sums to zero.
create table postings (
  tenant_id     text not null,
  journal       bigint not null,
  line          smallint not null,
  event_seq     bigint not null,
  at            timestamptz not null,
  kind          text not null,
  account       text not null,
  member        text,
  amount        bigint not null,
  order_id      text,
  period        text,
  rule          text,
  refund_id     text,
  withdrawal_id text,
  primary key (tenant_id, journal, line)
);
create index postings_member on postings (tenant_id, member);

-- Read models, written in the same transaction as the postings that justify them.
create table awards (
  tenant_id    text not null,
  award_key    text not null,
  member       text not null,
  order_id     text,
  period       text,
  rule         text not null,
  amount       bigint not null,
  status       text not null,
  explanations jsonb not null,
  changes      jsonb not null,
  updated_seq  bigint not null,
  primary key (tenant_id, award_key)
);
create index awards_member on awards (tenant_id, member);
create index awards_order on awards (tenant_id, order_id);

create table balances (
  tenant_id text not null,
  member    text not null,
  pending   bigint not null default 0,
  available bigint not null default 0,
  primary key (tenant_id, member)
);

create table withdrawals (
  tenant_id text not null,
  id        text not null,
  member    text not null,
  at        timestamptz not null,
  amount    bigint not null,
  tax       bigint not null,
  net       bigint not null,
  month     text not null,
  event_seq bigint not null,
  primary key (tenant_id, id)
);

-- Position of each ingestion stream per tenant, committed with the events it delivered.
create table stream_offsets (
  tenant_id text not null,
  stream    text not null,
  seq       bigint not null,
  primary key (tenant_id, stream)
);

create table webhooks (
  tenant_id  text not null,
  id         text not null,
  url        text not null,
  secret     text not null,
  topics     jsonb not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- Outgoing notifications, written with the events that caused them (transactional outbox).
create table outbox (
  tenant_id  text not null,
  id         bigserial,
  topic      text not null,
  payload    jsonb not null,
  event_seq  bigint not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table webhook_deliveries (
  tenant_id       text not null,
  webhook_id      text not null,
  outbox_id       bigint not null,
  status          text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  primary key (tenant_id, webhook_id, outbox_id)
);
create index webhook_deliveries_due on webhook_deliveries (status, next_attempt_at);
