-- analytics funnel by inbox: the conversation funnel of issue #15 — new contacts → conversations →
-- answered by the bot → handed to a person → qualified → customers (and lost, reopened) — per
-- company, UTC day and inbox, read by day, ISO week or month, for all inboxes or one.
--
-- A handoff was recorded only as a change of conversations.assignee (20261122001710: a handoff
-- keyword, the bot-turn limit or a failed responder hand it to people; 20261122001620/004310: a
-- member replying takes it; 20261122001910: a reply from the business phone pauses the bot; any
-- handler may assign it) and, when a turn was open, as a turn ended `handed_off`. So the
-- conversation now carries when it first left the bot (handed_to_person_at, stamped by a trigger
-- on whatever path moves the assignee off 'bot'; existing conversations take it from the audit
-- log, which records every assignee change). The funnel reads it without scanning the audit log.
--
-- The funnel view keeps its name (analytics.lead_funnel_daily), its schedule row and its freshness
-- record; it gains the inbox, so the reader and the analysts' view are recreated with it.
--
-- Who may do what: as 20261122005050 — members and the service role read through
-- public.analytics_lead_funnel / analytics_response_times, analyst logins through
-- analytics.lead_funnel; nobody writes handed_to_person_at (the trigger does).
--
-- Who writes each table: public.conversations (handed_to_person_at) private.stamp_handed_to_person.

-- ─── columns ──────────────────────────────────────────────────────────────────────────────────
alter table public.conversations add column handed_to_person_at timestamptz;
comment on column public.conversations.handed_to_person_at is
  'When the conversation first left the bot (assignee bot → member or unassigned): a handoff or a person taking it over. Set once, by a trigger.';

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- Always derived from the old row, so no update can set or clear it by hand; only the first
-- departure from the bot counts (a conversation given back to the bot and handed again is one).
-- Only on updates naming the assignee or this column: not on each message's counter update.
create or replace function private.stamp_handed_to_person()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.handed_to_person_at := case when new.assignee <> 'bot' then now() end;
  else
    new.handed_to_person_at := coalesce(old.handed_to_person_at,
                                        case when old.assignee = 'bot' and new.assignee <> 'bot' then now() end);
  end if;
  return new;
end;
$$;

create trigger conversations_stamp_handed_to_person before insert or update of assignee, handed_to_person_at on public.conversations
  for each row execute function private.stamp_handed_to_person();

-- Conversations that left the bot before this migration: the first audited assignee change off
-- 'bot'; one no longer with the bot and without such an entry, its last change. Written with the
-- row triggers off: a backfill is neither a person's change (audit, broadcasts, updated_at) nor
-- refused for a suspended company.
alter table public.conversations disable trigger user;
update public.conversations c
set handed_to_person_at = coalesce(h.first_left_at, case when c.assignee <> 'bot' then c.updated_at end)
from public.conversations v
left join (
  select a.record_id, min(a.created_at) as first_left_at
  from public.audit_log a
  where a.table_name = 'conversations' and a.action = 'update'
    and a.before ->> 'assignee' = 'bot' and a.after ->> 'assignee' <> 'bot'
  group by a.record_id
) h on h.record_id = v.id::text
where v.id = c.id and (h.first_left_at is not null or c.assignee <> 'bot');
alter table public.conversations enable trigger user;

-- ─── materialized views ───────────────────────────────────────────────────────────────────────
drop view analytics.lead_funnel;
drop function public.analytics_lead_funnel(uuid, date, date, text);
drop materialized view analytics.lead_funnel_daily;

-- Stages (each counted on the UTC day it happened; each conversation at most once per stage, so
-- any range's sum counts distinct conversations):
--   new_contacts           contacts created that day (each enters as a lead);
--   conversations_started  conversations created that day;
--   answered_by_bot        conversations whose first bot reply (direction out, role assistant)
--                          after the contact's first message was that day — an outreach the
--                          contact never answered is not an answer;
--   handed_to_person       conversations that first left the bot that day (handed_to_person_at:
--                          a handoff keyword, the turn limit, a failed responder, a member taking
--                          it over or replying, a reply from the business phone);
--   qualified, customers, lost, reopened
--                          contacts moved that day to qualified, customer, lost, and from lost
--                          back to lead (contact_stage_changes).
-- The inbox of a conversation's stages is the conversation's. A contact's stages (new contact,
-- qualified, customers, lost, reopened) belong to the inbox the contact came in through: the one
-- of its first conversation. A contact with no conversation yet has inbox_id null: it counts for
-- the company (all inboxes) and under no inbox filter, until its first conversation gives it one.
create materialized view analytics.lead_funnel_daily as
with first_inboxes as (
  select distinct on (v.contact_id) v.contact_id, v.inbox_id
  from public.conversations v
  order by v.contact_id, v.created_at, v.id
),
first_messages_in as (
  select m.conversation_id, min(m.message_index) as message_index
  from public.messages m
  where m.direction = 'in'
  group by m.conversation_id
),
bot_answers as (
  select m.conversation_id, min(m.created_at) as answered_at
  from public.messages m
  join first_messages_in f on f.conversation_id = m.conversation_id and m.message_index > f.message_index
  where m.direction = 'out' and m.role = 'assistant'
  group by m.conversation_id
),
events as (
  select c.tenant_id, c.created_at as at, f.inbox_id, 'new_contact' as kind, c.id as subject_id
  from public.contacts c left join first_inboxes f on f.contact_id = c.id
  union all
  select v.tenant_id, v.created_at, v.inbox_id, 'conversation', v.id
  from public.conversations v
  union all
  select v.tenant_id, b.answered_at, v.inbox_id, 'answered_by_bot', v.id
  from bot_answers b join public.conversations v on v.id = b.conversation_id
  union all
  select v.tenant_id, v.handed_to_person_at, v.inbox_id, 'handed_to_person', v.id
  from public.conversations v where v.handed_to_person_at is not null
  union all
  select s.tenant_id, s.created_at, f.inbox_id,
         case when s.to_stage = 'lead' then 'reopened' else s.to_stage::text end, s.contact_id
  from public.contact_stage_changes s left join first_inboxes f on f.contact_id = s.contact_id
)
select e.tenant_id,
       (e.at at time zone 'UTC')::date as day,
       e.inbox_id,
       count(*) filter (where e.kind = 'new_contact')::integer as new_contacts,
       count(*) filter (where e.kind = 'conversation')::integer as conversations_started,
       count(*) filter (where e.kind = 'answered_by_bot')::integer as answered_by_bot,
       count(*) filter (where e.kind = 'handed_to_person')::integer as handed_to_person,
       count(distinct e.subject_id) filter (where e.kind = 'qualified')::integer as qualified,
       count(distinct e.subject_id) filter (where e.kind = 'customer')::integer as customers,
       count(distinct e.subject_id) filter (where e.kind = 'lost')::integer as lost,
       count(distinct e.subject_id) filter (where e.kind = 'reopened')::integer as reopened
from events e
group by e.tenant_id, (e.at at time zone 'UTC')::date, e.inbox_id;

comment on materialized view analytics.lead_funnel_daily is
  'One row per tenant, UTC day and inbox (null: contacts with no conversation yet): new contacts, conversations started, '
  'answered by the bot, handed to a person, contacts moved to qualified, customer, lost, and reopened (lost → lead). '
  'A contact''s stages belong to the inbox of its first conversation.';

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- Unique on plain columns, what `refresh concurrently` needs; nulls not distinct so the company's
-- one row a day of contacts without an inbox is unique too.
create unique index lead_funnel_daily_key on analytics.lead_funnel_daily (tenant_id, day, inbox_id) nulls not distinct;

-- ─── the analysts' views ──────────────────────────────────────────────────────────────────────
create view analytics.lead_funnel with (security_barrier = true) as
  select v.* from analytics.lead_funnel_daily v where v.tenant_id = (select l.tenant_id from public.analyst_logins l where l.role_name = current_user);
comment on view analytics.lead_funnel is
  'For analyst logins: your company''s rows of lead_funnel_daily (one per UTC day and inbox, null: contacts with no '
  'conversation yet): new contacts, conversations, answered by the bot, handed to a person, qualified, customers, lost, reopened.';

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
-- Refused when the inbox is not one of the company's (another company's included): a filter that
-- silently answers zeros would read as "no activity". Called by the security-definer readers,
-- whose owner reads the inboxes; for a caller who may not read the company it says nothing.
create or replace function private.assert_analytics_inbox(target_tenant_id uuid, target_inbox_id uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if target_inbox_id is not null and private.can_read_analytics(target_tenant_id)
     and not exists (select from public.inboxes i where i.id = target_inbox_id and i.tenant_id = target_tenant_id) then
    raise exception using errcode = 'P0002', constraint = 'inbox_not_found', message = 'inbox not found',
      detail = pg_catalog.jsonb_build_object('inbox_id', target_inbox_id)::text;
  end if;
end;
$$;
comment on function private.assert_analytics_inbox(uuid, uuid) is
  'Raises inbox_not_found when an analytics inbox filter names no inbox of the company.';

-- The funnel by UTC day, ISO week (periods start on Monday) or month, the sum of the days in the
-- range (which is in days, so a week or month at its edges is partial); all inboxes (contacts
-- without a conversation included) or one.
create or replace function public.analytics_lead_funnel(target_tenant_id uuid, from_day date default null, to_day date default null,
                                                        grain text default 'day', target_inbox_id uuid default null)
returns table (period date, new_contacts integer, conversations_started integer, answered_by_bot integer,
               handed_to_person integer, qualified integer, customers integer, lost integer, reopened integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if grain is null or grain not in ('day', 'week', 'month') then
    raise exception using errcode = '22023', constraint = 'analytics_grain_invalid', message = 'grain must be day, week or month';
  end if;
  perform private.assert_analytics_inbox(target_tenant_id, target_inbox_id);
  return query
  select (case grain when 'month' then date_trunc('month', v.day)::date
                     when 'week' then date_trunc('week', v.day)::date
                     else v.day end) as p,
         sum(v.new_contacts)::integer, sum(v.conversations_started)::integer, sum(v.answered_by_bot)::integer,
         sum(v.handed_to_person)::integer, sum(v.qualified)::integer, sum(v.customers)::integer, sum(v.lost)::integer,
         sum(v.reopened)::integer
  from analytics.lead_funnel_daily v
  where v.tenant_id = target_tenant_id and private.can_read_analytics(target_tenant_id)
    and (from_day is null or v.day >= from_day) and (to_day is null or v.day <= to_day)
    and (target_inbox_id is null or v.inbox_id = target_inbox_id)
  group by 1
  order by 1;
end;
$$;
comment on function public.analytics_lead_funnel(uuid, date, date, text, uuid) is
  'A company''s conversation funnel by UTC day, ISO week or month, for all inboxes or one (analytics.lead_funnel_daily), for its members.';

-- The same answer as before, now refusing an inbox that is not the company's.
create or replace function public.analytics_response_times(target_tenant_id uuid, from_day date default null, to_day date default null,
                                                           target_inbox_id uuid default null)
returns table (day date, inbox_id uuid, responder text, replies integer, reply_p50_ms numeric, reply_p90_ms numeric,
               first_responses integer, first_response_p50_ms numeric, first_response_p90_ms numeric)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.assert_analytics_inbox(target_tenant_id, target_inbox_id);
  return query
  select v.day, v.inbox_id, v.responder, v.replies, v.reply_p50_ms, v.reply_p90_ms, v.first_responses,
         v.first_response_p50_ms, v.first_response_p90_ms
  from analytics.response_times_daily v
  where v.tenant_id = target_tenant_id and private.can_read_analytics(target_tenant_id)
    and (from_day is null or v.day >= from_day) and (to_day is null or v.day <= to_day)
    and (target_inbox_id is null or v.inbox_id = target_inbox_id)
  order by v.day, v.inbox_id, v.responder;
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on analytics.lead_funnel_daily, analytics.lead_funnel from public, anon, authenticated;
grant select on analytics.lead_funnel_daily to service_role;
grant select on analytics.lead_funnel to renum_analyst, service_role;
revoke all on function private.stamp_handed_to_person() from public;
revoke all on function private.assert_analytics_inbox(uuid, uuid) from public, anon, authenticated;
revoke all on function public.analytics_lead_funnel(uuid, date, date, text, uuid) from public, anon;
grant execute on function public.analytics_lead_funnel(uuid, date, date, text, uuid) to authenticated, service_role;
