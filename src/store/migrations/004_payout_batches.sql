-- Payee details, payout batches and their lines; the audit log made append-only.

-- Who a member is paid to: the real name and the account, masked. The full account is never
-- stored: only its sha256 (of the normalised text), to recognise the same account again.
create table payees (
  tenant_id      text not null,
  member         text not null,
  real_name      text not null,
  account_masked text not null,
  account_sha256 text not null,
  updated_at     timestamptz not null default now(),
  updated_by     text not null,
  primary key (tenant_id, member)
);

-- A payout batch: approved withdrawals handed to the payer in one file. Totals are those of its
-- lines when it was created (reconcile checks them against the lines and the ledger).
create table payout_batches (
  tenant_id  text not null,
  id         text not null,
  created_at timestamptz not null default now(),
  created_by text not null,
  currency   text not null,
  lines      integer not null,
  gross      bigint not null,
  tax        bigint not null,
  net        bigint not null,
  filter     jsonb not null default '{}',
  primary key (tenant_id, id)
);

-- One line per withdrawal, ever (a withdrawal leaves `approved` only by being paid, failed or
-- rejected, all final): the payee as it was when the batch was made, and the payer's result.
create table payout_lines (
  tenant_id        text not null,
  batch_id         text not null,
  line             integer not null,
  reference        text not null,
  withdrawal       text not null,
  member           text not null,
  real_name        text not null,
  account_masked   text not null,
  account_sha256   text not null,
  gross            bigint not null,
  tax              bigint not null,
  net              bigint not null,
  result_status    text check (result_status in ('paid', 'failed')),
  result_reason    text,
  payer_reference  text,
  result_at        timestamptz,
  result_seq       bigint,
  primary key (tenant_id, batch_id, line)
);
create unique index payout_lines_reference on payout_lines (tenant_id, reference);
create unique index payout_lines_withdrawal on payout_lines (tenant_id, withdrawal);

-- Reconciliation reads the postings of a batch's withdrawals.
create index postings_withdrawal on postings (tenant_id, withdrawal_id) where withdrawal_id is not null;

create index audit_log_target on audit_log (tenant_id, target);

-- The audit log is append-only: rows are never changed or removed.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end
$$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_append_only();
