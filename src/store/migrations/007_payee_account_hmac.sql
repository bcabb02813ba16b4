-- Payee accounts are recognised by a keyed digest (HMAC-SHA256) instead of a plain sha256: a
-- bank card number has so little entropy after its bank prefix that a plain hash is reversed by
-- trying them all. The key is FENYONG_SECRET when set (kept out of the database and its backups),
-- else a random key of this installation kept in installation_secrets. Digests carry their
-- scheme as a prefix, so rows written before this migration ("sha256:") still compare.
create table if not exists installation_secrets (
  name       text primary key,
  value      text not null,
  created_at timestamptz not null default now()
);

alter table payees rename column account_sha256 to account_digest;
update payees set account_digest = 'sha256:' || account_digest;
alter table payout_lines rename column account_sha256 to account_digest;
update payout_lines set account_digest = 'sha256:' || account_digest;
