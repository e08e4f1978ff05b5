-- analytics funnel and response times: two more materialized views, refreshed by the same schedule
-- (analytics.refresh_due_views, every 15 minutes by default), read by people through
-- security-definer functions that keep a company's rows (as the other analytics readers) and by
-- analyst logins through security-barrier views filtered to their company.
--
-- Definitions (the same in the dashboards and for analysts):
--   lead_funnel_daily     per company and UTC day: contacts created (each enters as a lead),
--                         conversations started, and the contacts moved that day to qualified, to
--                         customer, to lost, and back to lead from lost (contact_stage_changes, the
--                         history that is the source of truth of lifecycle stages). A month is the
--                         sum of its days (public.analytics_lead_funnel with grain 'month').
--   response_times_daily  per company, UTC day of the reply, inbox and responder (bot: an agent's
--                         reply, role assistant; person: a person's, role human): how long people
--                         waited. A wait starts at the first inbound message after the previous reply
--                         (or the conversation's first) and ends at the next reply; system messages
--                         are ignored; a reply nobody was waiting for (an outreach) is not a wait.
--                         The first response is the first wait of a conversation. p50/p90 in ms.
--
-- Who may do what: read through public.analytics_lead_funnel / analytics_response_times (members
-- of the company, the service role) and analytics.lead_funnel / analytics.response_times (the
-- company's analyst logins); nobody writes.

-- ─── materialized views ───────────────────────────────────────────────────────────────────────
create materialized view analytics.lead_funnel_daily as
with events as (
  select c.tenant_id, (c.created_at at time zone 'UTC')::date as day, 'new_contact' as kind, c.id as subject_id
  from public.contacts c
  union all
  select v.tenant_id, (v.created_at at time zone 'UTC')::date, 'conversation', v.id
  from public.conversations v
  union all
  select s.tenant_id, (s.created_at at time zone 'UTC')::date,
         case when s.to_stage = 'lead' then 'reopened' else s.to_stage::text end, s.contact_id
  from public.contact_stage_changes s
)
select e.tenant_id,
       e.day,
       count(*) filter (where e.kind = 'new_contact')::integer as new_contacts,
       count(*) filter (where e.kind = 'conversation')::integer as conversations_started,
       count(distinct e.subject_id) filter (where e.kind = 'qualified')::integer as qualified,
       count(distinct e.subject_id) filter (where e.kind = 'customer')::integer as customers,
       count(distinct e.subject_id) filter (where e.kind = 'lost')::integer as lost,
       count(distinct e.subject_id) filter (where e.kind = 'reopened')::integer as reopened
from events e
group by e.tenant_id, e.day;

comment on materialized view analytics.lead_funnel_daily is
  'One row per tenant and UTC day: contacts created (leads), conversations started, contacts moved to qualified, customer, lost, and reopened (lost → lead).';

create materialized view analytics.response_times_daily as
with turns as (
  -- turn = how many replies came before this message in its conversation: the inbound messages
  -- since the previous reply and the reply that answers them share a turn.
  select m.tenant_id, m.inbox_id, m.conversation_id, m.direction, m.role, m.created_at,
         count(*) filter (where m.direction = 'out')
           over (partition by m.conversation_id order by m.message_index rows between unbounded preceding and 1 preceding) as turn
  from public.messages m
  where m.role <> 'system'
),
waits as (
  select t.tenant_id, t.inbox_id, t.conversation_id, t.turn,
         min(t.created_at) filter (where t.direction = 'in') as asked_at,
         min(t.created_at) filter (where t.direction = 'out') as replied_at,
         min(t.role::text) filter (where t.direction = 'out') as reply_role
  from turns t
  group by t.tenant_id, t.inbox_id, t.conversation_id, t.turn
),
answered as (
  select w.tenant_id, w.inbox_id, w.replied_at, w.reply_role,
         extract(epoch from w.replied_at - w.asked_at) * 1000 as wait_ms,
         row_number() over (partition by w.conversation_id order by w.turn) = 1 as is_first
  from waits w
  where w.asked_at is not null and w.replied_at is not null
)
select a.tenant_id,
       (a.replied_at at time zone 'UTC')::date as day,
       a.inbox_id,
       case a.reply_role when 'assistant' then 'bot' else 'person' end as responder,
       count(*)::integer as replies,
       round((percentile_cont(0.5) within group (order by a.wait_ms))::numeric, 0) as reply_p50_ms,
       round((percentile_cont(0.9) within group (order by a.wait_ms))::numeric, 0) as reply_p90_ms,
       count(*) filter (where a.is_first)::integer as first_responses,
       round((percentile_cont(0.5) within group (order by a.wait_ms) filter (where a.is_first))::numeric, 0) as first_response_p50_ms,
       round((percentile_cont(0.9) within group (order by a.wait_ms) filter (where a.is_first))::numeric, 0) as first_response_p90_ms
from answered a
group by a.tenant_id, (a.replied_at at time zone 'UTC')::date, a.inbox_id, case a.reply_role when 'assistant' then 'bot' else 'person' end;

comment on materialized view analytics.response_times_daily is
  'One row per tenant, UTC day of the reply, inbox and responder (bot | person): replies to waiting contacts and the wait p50/p90 in ms, and the same for each conversation''s first response.';

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- Unique, on plain columns: what `refresh concurrently` needs.
create unique index lead_funnel_daily_key on analytics.lead_funnel_daily (tenant_id, day);
create unique index response_times_daily_key on analytics.response_times_daily (tenant_id, day, inbox_id, responder);

-- ─── schedule ─────────────────────────────────────────────────────────────────────────────────
insert into analytics.refresh_schedule (view_name) values ('lead_funnel_daily'), ('response_times_daily');

-- ─── the analysts' views ──────────────────────────────────────────────────────────────────────
create view analytics.lead_funnel with (security_barrier = true) as
  select v.* from analytics.lead_funnel_daily v where v.tenant_id = (select l.tenant_id from public.analyst_logins l where l.role_name = current_user);
comment on view analytics.lead_funnel is
  'For analyst logins: your company''s rows of lead_funnel_daily (one per UTC day: new contacts, conversations, qualified, customers, lost, reopened).';

create view analytics.response_times with (security_barrier = true) as
  select v.* from analytics.response_times_daily v where v.tenant_id = (select l.tenant_id from public.analyst_logins l where l.role_name = current_user);
comment on view analytics.response_times is
  'For analyst logins: your company''s rows of response_times_daily (one per UTC day, inbox and responder: reply and first-response p50/p90).';

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
-- The funnel by day, or by month (the sum of the month's days; the range is still in days).
create or replace function public.analytics_lead_funnel(target_tenant_id uuid, from_day date default null, to_day date default null,
                                                        grain text default 'day')
returns table (period date, new_contacts integer, conversations_started integer, qualified integer, customers integer,
               lost integer, reopened integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if grain is null or grain not in ('day', 'month') then
    raise exception using errcode = '22023', constraint = 'analytics_grain_invalid', message = 'grain must be day or month';
  end if;
  return query
  select (case when grain = 'month' then date_trunc('month', v.day)::date else v.day end) as p,
         sum(v.new_contacts)::integer, sum(v.conversations_started)::integer, sum(v.qualified)::integer,
         sum(v.customers)::integer, sum(v.lost)::integer, sum(v.reopened)::integer
  from analytics.lead_funnel_daily v
  where v.tenant_id = target_tenant_id and private.can_read_analytics(target_tenant_id)
    and (from_day is null or v.day >= from_day) and (to_day is null or v.day <= to_day)
  group by 1
  order by 1;
end;
$$;
comment on function public.analytics_lead_funnel(uuid, date, date, text) is
  'A company''s lead funnel by UTC day or month (analytics.lead_funnel_daily), for its members.';

create or replace function public.analytics_response_times(target_tenant_id uuid, from_day date default null, to_day date default null,
                                                           target_inbox_id uuid default null)
returns table (day date, inbox_id uuid, responder text, replies integer, reply_p50_ms numeric, reply_p90_ms numeric,
               first_responses integer, first_response_p50_ms numeric, first_response_p90_ms numeric)
language sql
stable
security definer
set search_path = ''
as $$
  select v.day, v.inbox_id, v.responder, v.replies, v.reply_p50_ms, v.reply_p90_ms, v.first_responses,
         v.first_response_p50_ms, v.first_response_p90_ms
  from analytics.response_times_daily v
  where v.tenant_id = target_tenant_id and private.can_read_analytics(target_tenant_id)
    and (from_day is null or v.day >= from_day) and (to_day is null or v.day <= to_day)
    and (target_inbox_id is null or v.inbox_id = target_inbox_id)
  order by v.day, v.inbox_id, v.responder;
$$;
comment on function public.analytics_response_times(uuid, date, date, uuid) is
  'A company''s response times by UTC day, inbox and responder (analytics.response_times_daily), for its members.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on analytics.lead_funnel_daily, analytics.response_times_daily, analytics.lead_funnel, analytics.response_times
  from public, anon, authenticated;
grant select on analytics.lead_funnel_daily, analytics.response_times_daily to service_role;
grant select on analytics.lead_funnel, analytics.response_times to renum_analyst, service_role;
revoke all on function public.analytics_lead_funnel(uuid, date, date, text), public.analytics_response_times(uuid, date, date, uuid)
  from public, anon;
grant execute on function public.analytics_lead_funnel(uuid, date, date, text), public.analytics_response_times(uuid, date, date, uuid)
  to authenticated, service_role;
