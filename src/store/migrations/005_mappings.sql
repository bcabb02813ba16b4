-- Payload mappings (issue 7): a tenant's named JSONata expression turning its shop's own webhook
-- payloads into fenyong events, with the sample payloads it was checked against at save time and
-- how the shop signs its webhooks (HMAC-SHA256 of the raw body). The secret is kept as given: it
-- is needed to verify each delivery; the API never shows it again.
create table mappings (
  tenant_id   text not null,
  name        text not null,
  description text,
  expression  text not null,
  samples     jsonb not null,
  sig_header  text not null,
  sig_encoding text not null check (sig_encoding in ('hex', 'base64')),
  sig_prefix  text not null default '',
  secret      text not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, name)
);

-- A backfill of history holds the scheduler off the tenant (a tick to "now" would make every
-- later historical event too late); the hold lapses by itself when the backfill stops renewing it.
alter table tenants add column scheduler_hold_until timestamptz;
