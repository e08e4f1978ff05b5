-- analytics consumption: what each company consumed per calendar month (UTC), by WhatsApp inbox
-- (from consumption_inbox_daily, which the message triggers keep exact) and by agent (from the
-- usage ledger, one row per recorded step, priced at its day's price). Refreshed by
-- analytics.refresh_due_views (every 15 minutes by default).
--
-- Who may do what: read through public.analytics_* (the analytics API migration); nobody writes.

-- ─── materialized views ───────────────────────────────────────────────────────────────────────
create materialized view analytics.inbox_consumption_monthly as
select d.tenant_id,
       date_trunc('month', d.day)::date as month,
       d.inbox_id,
       sum(d.messages_in)::bigint as messages_in,
       sum(d.messages_out)::bigint as messages_out,
       sum(d.conversations_started)::bigint as conversations_started,
       sum(d.input_tokens)::bigint as input_tokens,
       sum(d.output_tokens)::bigint as output_tokens,
       sum(d.cost_usd)::numeric(16, 6) as cost_usd,
       count(*) filter (where d.messages_in + d.messages_out > 0)::integer as active_days
from public.consumption_inbox_daily d
group by d.tenant_id, date_trunc('month', d.day)::date, d.inbox_id;

comment on materialized view analytics.inbox_consumption_monthly is
  'One row per tenant, UTC month and WhatsApp inbox: messages in and out, conversations started, tokens and cost of replies, days with traffic.';

create materialized view analytics.agent_consumption_monthly as
select l.tenant_id,
       date_trunc('month', l.recorded_at at time zone 'UTC')::date as month,
       l.agent_id,
       count(*)::integer as steps,
       count(distinct l.execution_id)::integer as runs,
       sum(l.input_tokens)::bigint as input_tokens,
       sum(l.output_tokens)::bigint as output_tokens,
       sum(l.cost_usd)::numeric(16, 6) as cost_usd
from public.usage_ledger l
group by l.tenant_id, date_trunc('month', l.recorded_at at time zone 'UTC')::date, l.agent_id;

comment on materialized view analytics.agent_consumption_monthly is
  'One row per tenant, UTC month and agent (null: a deleted agent), from the usage ledger: steps recorded, runs, tokens, cost.';

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create unique index inbox_consumption_monthly_key on analytics.inbox_consumption_monthly (tenant_id, month, inbox_id);
create unique index agent_consumption_monthly_key on analytics.agent_consumption_monthly (tenant_id, month, agent_id) nulls not distinct;

-- ─── schedule ─────────────────────────────────────────────────────────────────────────────────
insert into analytics.refresh_schedule (view_name) values ('inbox_consumption_monthly'), ('agent_consumption_monthly');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on analytics.inbox_consumption_monthly, analytics.agent_consumption_monthly from public, anon, authenticated;
grant select on analytics.inbox_consumption_monthly, analytics.agent_consumption_monthly to service_role;
