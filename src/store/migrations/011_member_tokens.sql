-- Member tokens (issue 6): a leader (团长) signs in to the console with a token an admin issued
-- for their member; it reads that member's own data and its downline, and writes nothing. As with
-- API keys only the sha256 of the secret is kept: the token is shown once, when it is issued.
create table member_tokens (
  id          text primary key,
  tenant_id   text not null references tenants(id),
  member      text not null,
  secret_hash text not null,
  created_by  text not null,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  revoked_at  timestamptz
);
create index member_tokens_member on member_tokens (tenant_id, member);
