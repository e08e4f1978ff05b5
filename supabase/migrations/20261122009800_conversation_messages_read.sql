-- A conversation's messages read with a plan made once per connection instead of once per
-- request, and the messages policy asking for the caller's companies once per statement.
--
-- The API reads a thread through a transaction pooler, so it cannot keep prepared statements:
-- every `select ... from public.messages` was planned again over the 16 monthly partitions, and
-- at 10 million messages planning was ~0.85 ms of a 1.24 ms read (p95 2.2 ms under RLS). A
-- PL/pgSQL function keeps its statements' plans in the server process, which outlives the
-- pooler's transactions; `plan_cache_mode = force_generic_plan` keeps one plan for every
-- conversation, whose months before the conversation's start are removed as it starts
-- (run-time pruning on `started_at`) rather than while planning. The plan stays valid across
-- callers because all of them are `authenticated` and the caller is read at run time
-- (private.tenants_of_caller()); a new or dropped partition invalidates it. It runs as its
-- caller: the messages policy decides, as for any select.
--
-- The caller's companies were asked once per partition a read touches: the policy's
-- `tenant_id in (select private.tenants_of_caller())` is a hashed subplan, built again for each
-- partition (thirteen times for a year-old thread), each time calling the security-definer
-- function, whose statement a SQL function plans again at every call. Now the function is
-- PL/pgSQL (its plan kept), and the policy reads its answer once per statement, as an array, and
-- only unnests it per partition. Same rows, same caller; plain statements keep their plans (the
-- same 40 sampled reads of four kinds chose the same plans before and after).
-- Tried and not kept: `tenant_id = any (array(select ...))`, as fast, but the planner then
-- estimates the policy like an index condition and gave plain reads bounded by created_at a
-- sort over bitmap scans for half the conversations (4.5 ms instead of 1.9, and the whole thread
-- read for a page).
--
-- Measured at 10 million messages, 1,000 companies, 16 partitions (scripts/bench/messages-read.ts,
-- 1,000 sequential reads of the last 10, as a member): the thread p50 1.24 / p95 2.20 ms before;
-- through this function p50 0.56-0.59 / p95 1.08-1.15 ms, the same read as a plain statement
-- p50 1.10 / p95 1.81-1.89 ms.

-- 20261122000100's statement, unchanged, in PL/pgSQL so that its plan is kept per connection.
create or replace function private.tenants_of_caller()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
    select m.tenant_id from public.memberships m where m.user_id = (select auth.uid())
      and ((select private.tenant_scope()) is null or m.tenant_id = (select private.tenant_scope()));
end;
$$;

alter policy "members read their tenant's messages" on public.messages
  using (tenant_id in (select pg_catalog.unnest(array(select private.tenants_of_caller()))));

create function public.conversation_messages(
  conversation uuid,
  -- The conversation's created_at: none of its messages is older, so the months before it are skipped.
  started_at timestamptz default '-infinity',
  -- Keyset: only messages with a smaller message_index (the oldest index of the previous page).
  before_index integer default null,
  -- Clamped to 1..200, as public.search_contacts clamps its rows.
  page_size integer default 50
)
returns setof public.messages
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
-- The one plan is made without knowing the conversation or its start, so it must not depend on
-- estimates: without sorts the only plan is a merge of each month's index, newest first, which
-- stops after a page whatever the conversation's length (a sort would read all its messages).
set enable_sort = off
as $$
declare
  row_limit constant integer := greatest(1, least(coalesce(page_size, 50), 200));
begin
  -- Two statements rather than `before_index is null or ...`, so each keeps an index condition.
  if before_index is null then
    return query
      select m.* from public.messages m
      where m.conversation_id = conversation and m.created_at >= started_at
      order by m.message_index desc
      limit row_limit;
  else
    return query
      select m.* from public.messages m
      where m.conversation_id = conversation and m.created_at >= started_at and m.message_index < before_index
      order by m.message_index desc
      limit row_limit;
  end if;
end;
$$;
comment on function public.conversation_messages(uuid, timestamptz, integer, integer) is
  'A conversation''s messages, newest first, a page at a time (keyset by message_index), as the caller may read them (RLS). Its plan is kept per connection.';

revoke all on function public.conversation_messages(uuid, timestamptz, integer, integer) from public, anon;
grant execute on function public.conversation_messages(uuid, timestamptz, integer, integer) to authenticated, service_role;
