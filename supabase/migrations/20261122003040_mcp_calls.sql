-- mcp calls: one row per tool call and resource read the `mcp` function answered — which token (and
-- so which company and maker), what was called, whether it succeeded, how many rows it answered and
-- how long it took. The mcp function writes it with the service role after each call; the
-- company's owners and admins (manage_tools, who make the tokens) read their company's. 90 days kept.
--
-- Who may do what: owners and admins of the company read; members, analysts, other companies, anon
-- and platform admins read nothing; nobody signed in writes.
-- Who writes the table: the mcp function (service role), and the retention job (deletes).

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.mcp_calls (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  -- null once the token is deleted with its maker; the call stays in the company's log.
  token_id uuid references public.mcp_tokens (id) on delete set null,
  user_id uuid references auth.users (id) on delete set null,
  -- 'tool' (tools/call) or 'resource' (resources/read)
  kind text not null default 'tool' constraint mcp_calls_kind_values check (kind in ('tool', 'resource')),
  -- the tool's name, or the resource's URI
  name text not null constraint mcp_calls_name_length check (char_length(name) between 1 and 300),
  -- 'ok', or 'error' (the tool answered isError, or the resource could not be read)
  outcome text not null constraint mcp_calls_outcome_values check (outcome in ('ok', 'error')),
  row_count integer constraint mcp_calls_row_count_range check (row_count >= 0),
  duration_ms integer not null constraint mcp_calls_duration_range check (duration_ms >= 0),
  created_at timestamptz not null default now()
);
comment on table public.mcp_calls is
  'One row per MCP tool call or resource read: token, maker, name, outcome, rows and duration; the company''s tool managers read it.';

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index mcp_calls_tenant_created_idx on public.mcp_calls (tenant_id, created_at desc);
create index mcp_calls_token_id_idx on public.mcp_calls (token_id);
create index mcp_calls_user_id_idx on public.mcp_calls (user_id);
create index mcp_calls_created_at_idx on public.mcp_calls (created_at);

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.mcp_calls enable row level security;

create policy "tool managers read their tenant's mcp calls" on public.mcp_calls
  for select to authenticated using ((select private.has_capability(tenant_id, 'manage_tools')));

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-mcp-calls-retention', '17 3 * * *',
  $$delete from public.mcp_calls where created_at < now() - interval '90 days'$$);

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.mcp_calls from anon, authenticated;
grant select on public.mcp_calls to authenticated;
grant select, insert, delete on public.mcp_calls to service_role;
