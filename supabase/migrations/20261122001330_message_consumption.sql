-- consumption: consumption_inbox_daily (tenant, inbox, UTC day: messages in and out, conversations
-- started, tokens, cost) kept exact in the same transaction as the rows it counts. Statement-level
-- triggers with transition tables add one aggregate per (inbox, day) per statement, so a bulk
-- INSERT … SELECT of ten thousand messages is one upsert per inbox-day, not ten thousand.
--
-- Who may do what: people read their company's rows (RLS, in the messages migration); nobody
-- writes them but these triggers (the service role's inserts of messages and conversations fire them).
--
-- Who writes each table:
--   consumption_inbox_daily   the triggers below only

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
create or replace function private.count_message_consumption()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into public.consumption_inbox_daily as d (tenant_id, inbox_id, day, messages_in, messages_out, input_tokens, output_tokens, cost_usd)
  select m.tenant_id, m.inbox_id, (m.created_at at time zone 'UTC')::date,
         count(*) filter (where m.direction = 'in'), count(*) filter (where m.direction = 'out'),
         coalesce(sum(m.input_tokens), 0), coalesce(sum(m.output_tokens), 0), coalesce(sum(m.cost_usd), 0)
  from new_messages m
  group by m.tenant_id, m.inbox_id, (m.created_at at time zone 'UTC')::date
  -- A fixed order, so two bulk inserts touching the same inbox-days never deadlock.
  order by m.inbox_id, 3
  on conflict (inbox_id, day) do update
    set messages_in = d.messages_in + excluded.messages_in,
        messages_out = d.messages_out + excluded.messages_out,
        input_tokens = d.input_tokens + excluded.input_tokens,
        output_tokens = d.output_tokens + excluded.output_tokens,
        cost_usd = d.cost_usd + excluded.cost_usd,
        updated_at = now();
  return null;
end;
$$;

create or replace function private.count_started_conversations()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into public.consumption_inbox_daily as d (tenant_id, inbox_id, day, conversations_started)
  select c.tenant_id, c.inbox_id, (c.created_at at time zone 'UTC')::date, count(*)
  from new_conversations c
  group by c.tenant_id, c.inbox_id, (c.created_at at time zone 'UTC')::date
  order by c.inbox_id, 3
  on conflict (inbox_id, day) do update
    set conversations_started = d.conversations_started + excluded.conversations_started,
        updated_at = now();
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger messages_count_consumption after insert on public.messages
  referencing new table as new_messages
  for each statement execute function private.count_message_consumption();
create trigger conversations_count_consumption after insert on public.conversations
  referencing new table as new_conversations
  for each statement execute function private.count_started_conversations();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke insert, update, delete, truncate on public.consumption_inbox_daily from anon, authenticated;
