-- analytics API: how people read the analytics views through PostgREST. Materialized views have
-- no row level security, so nobody signed in reads them directly (the `analytics` schema is not
-- granted to anon or authenticated); these security-definer functions read them with the owner's
-- rights and return only the rows of a company the caller belongs to, as RLS would: any member
-- (owner, admin, member, analyst) reads its company's rows, anyone else gets none. The service
-- role reads any company's. Platform admins read a company through their audited admin_* panel,
-- not through these.
--
-- Every function takes the company and an optional range (inclusive; days or months, UTC).

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
create or replace function private.can_read_analytics(target_tenant_id uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
  select private.is_member(target_tenant_id) or private.is_trusted_caller();
$$;
comment on function private.can_read_analytics(uuid) is
  'True when the caller may read the company''s analytics: a member of it, or the service role.';

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
create or replace function public.analytics_team_performance(target_tenant_id uuid, from_day date default null, to_day date default null)
returns table (
  day date, team_id uuid, runs integer, succeeded integer, failed integer, cancelled integer, success_rate numeric,
  duration_p50_ms numeric, duration_p95_ms numeric, input_tokens bigint, output_tokens bigint, cost_usd numeric,
  cost_per_run_usd numeric, retries bigint, timeouts integer
)
language sql
stable
security definer
set search_path = ''
as $$
  select v.day, v.team_id, v.runs, v.succeeded, v.failed, v.cancelled, v.success_rate, v.duration_p50_ms, v.duration_p95_ms,
         v.input_tokens, v.output_tokens, v.cost_usd, v.cost_per_run_usd, v.retries, v.timeouts
  from analytics.team_performance_daily v
  where v.tenant_id = target_tenant_id and private.can_read_analytics(target_tenant_id)
    and (from_day is null or v.day >= from_day) and (to_day is null or v.day <= to_day)
  order by v.day, v.team_id;
$$;
comment on function public.analytics_team_performance(uuid, date, date) is
  'A company''s team performance by UTC day (analytics.team_performance_daily), for its members.';

create or replace function public.analytics_agent_performance(target_tenant_id uuid, from_day date default null, to_day date default null)
returns table (
  day date, agent_id uuid, runs integer, succeeded integer, failed integer, success_rate numeric,
  duration_p50_ms numeric, duration_p95_ms numeric, input_tokens bigint, output_tokens bigint, cost_usd numeric,
  cost_per_run_usd numeric, retries bigint, timeouts integer
)
language sql
stable
security definer
set search_path = ''
as $$
  select v.day, v.agent_id, v.runs, v.succeeded, v.failed, v.success_rate, v.duration_p50_ms, v.duration_p95_ms,
         v.input_tokens, v.output_tokens, v.cost_usd, v.cost_per_run_usd, v.retries, v.timeouts
  from analytics.agent_performance_daily v
  where v.tenant_id = target_tenant_id and private.can_read_analytics(target_tenant_id)
    and (from_day is null or v.day >= from_day) and (to_day is null or v.day <= to_day)
  order by v.day, v.agent_id;
$$;
comment on function public.analytics_agent_performance(uuid, date, date) is
  'A company''s agent performance by UTC day (analytics.agent_performance_daily), for its members.';

create or replace function public.analytics_inbox_consumption(target_tenant_id uuid, from_month date default null, to_month date default null)
returns table (
  month date, inbox_id uuid, messages_in bigint, messages_out bigint, conversations_started bigint,
  input_tokens bigint, output_tokens bigint, cost_usd numeric, active_days integer
)
language sql
stable
security definer
set search_path = ''
as $$
  select v.month, v.inbox_id, v.messages_in, v.messages_out, v.conversations_started, v.input_tokens, v.output_tokens,
         v.cost_usd, v.active_days
  from analytics.inbox_consumption_monthly v
  where v.tenant_id = target_tenant_id and private.can_read_analytics(target_tenant_id)
    and (from_month is null or v.month >= date_trunc('month', from_month)::date)
    and (to_month is null or v.month <= date_trunc('month', to_month)::date)
  order by v.month, v.inbox_id;
$$;
comment on function public.analytics_inbox_consumption(uuid, date, date) is
  'A company''s WhatsApp consumption by UTC month and inbox (analytics.inbox_consumption_monthly), for its members.';

create or replace function public.analytics_agent_consumption(target_tenant_id uuid, from_month date default null, to_month date default null)
returns table (
  month date, agent_id uuid, steps integer, runs integer, input_tokens bigint, output_tokens bigint, cost_usd numeric
)
language sql
stable
security definer
set search_path = ''
as $$
  select v.month, v.agent_id, v.steps, v.runs, v.input_tokens, v.output_tokens, v.cost_usd
  from analytics.agent_consumption_monthly v
  where v.tenant_id = target_tenant_id and private.can_read_analytics(target_tenant_id)
    and (from_month is null or v.month >= date_trunc('month', from_month)::date)
    and (to_month is null or v.month <= date_trunc('month', to_month)::date)
  order by v.month, v.agent_id;
$$;
comment on function public.analytics_agent_consumption(uuid, date, date) is
  'A company''s agent consumption by UTC month (analytics.agent_consumption_monthly), for its members.';

-- When each view was last refreshed: not a company's data, so any signed-in person may ask.
create or replace function public.analytics_freshness()
returns table (view_name text, refresh_every interval, refreshed_at timestamptz, last_attempt_at timestamptz,
               last_duration_ms integer, last_error text, next_due_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select f.view_name, f.refresh_every, f.refreshed_at, f.last_attempt_at, f.last_duration_ms, f.last_error, f.next_due_at
  from analytics.freshness f
  order by f.view_name;
$$;
comment on function public.analytics_freshness() is 'When each analytics view was last refreshed, and whether the latest attempt failed.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.can_read_analytics(uuid) from public, anon;
grant execute on function private.can_read_analytics(uuid) to authenticated, service_role;
revoke all on function public.analytics_team_performance(uuid, date, date), public.analytics_agent_performance(uuid, date, date),
  public.analytics_inbox_consumption(uuid, date, date), public.analytics_agent_consumption(uuid, date, date),
  public.analytics_freshness() from public, anon;
grant execute on function public.analytics_team_performance(uuid, date, date), public.analytics_agent_performance(uuid, date, date),
  public.analytics_inbox_consumption(uuid, date, date), public.analytics_agent_consumption(uuid, date, date),
  public.analytics_freshness() to authenticated, service_role;
