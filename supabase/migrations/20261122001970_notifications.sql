-- notifications (#13): the company's people hear of what needs them — a conversation handed to
-- people (`handoff_requested`), a reply that failed for good (`dead_letter`), this month's spend
-- past 80 % of the budget (`budget_80`), an agent's output waiting for their approval
-- (`approval_requested`, #18), every interview of a project ended (`project_finished`, #17) — on
-- WhatsApp, then SMS, then e-mail.
--
-- private.notify(tenant, event, payload, named) reads the company's rule for the event (or the
-- default below), and queues one notification per member whose role the rule names or whom the
-- caller names (an approval step's named approvers) and who has not opted out of the event, with the member's phone and e-mail as they are at that moment and the rule's
-- channels less those the member turned off (none left: no notification), and wakes the `notify`
-- function through pg_net (after commit). The function claims notifications with leases and tries
-- their channels in order, recording each attempt as it ends:
--   pending ──claim──▶ sending ──a channel accepted──▶ sent
--                        │ a channel failed or cannot reach the person (no phone, no inbox)
--                        │   └──▶ the next channel, in the same pass
--                        │ the last channel failed ──▶ dead (owners and admins see it)
--                        └ lease ran out mid-channel ──▶ that channel counts as failed
--                                                         (`delivery_interrupted`), pending again
--                                                         on the next one, or dead
-- The fallback is the retry: a failure on WhatsApp does not wait for WhatsApp to recover, it goes
-- to SMS at once (a person needs to hear now). A channel is tried at most once per notification,
-- so nobody gets the same notice twice on one channel; a worker killed after a provider's 200 may
-- mean the notice also arrives on the next channel (at least once overall — a second notice
-- beats a silent one).
--
-- Defaults (no rule stored): handoff_requested → owners, admins and members; dead_letter →
-- owners and admins; budget_80 → owners; channels whatsapp, sms, email; approval_requested →
-- owners and admins (and the step's named approvers), by e-mail only (they are also told live in
-- the app); project_finished → owners and admins; enabled.
--
-- Who may do what:
--   everyone signed in   their own notification phone (public.notification_contacts)
--   member of a tenant   reads its rules; their own opt-outs per event (notification_preferences)
--                        and per channel (notification_channel_preferences);
--                        reads the notifications sent to them
--   owner, admin         change the rules (manage_members); read every notification of the tenant
--   service              private.notify, claims and records attempts (the `notify` function)
--
-- Who writes each table:
--   public.notification_contacts      the person themself
--   public.notification_rules         owners and admins (manage_members)
--   public.notification_preferences   the member themself
--   public.notification_channel_preferences   the member themself
--   public.notifications              the functions below only

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.notification_event as enum ('handoff_requested', 'dead_letter', 'budget_80', 'approval_requested', 'project_finished');
create type public.notification_channel as enum ('whatsapp', 'sms', 'email');
create type public.notification_status as enum ('pending', 'sending', 'sent', 'dead');

-- True when no element repeats (a check constraint cannot hold a subquery).
create or replace function private.elements_distinct(items anyarray)
returns boolean
language sql
immutable
set search_path = ''
as $$ select cardinality(items) = (select count(distinct x) from unnest(items) x) $$;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.notification_contacts (
  user_id uuid primary key references auth.users (id) on delete cascade,
  -- E.164, normalized on write (private.normalize_phone): WhatsApp and SMS go here.
  phone text not null constraint notification_contacts_phone_e164 check (phone ~ '^\+[1-9][0-9]{7,14}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.notification_rules (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  event public.notification_event not null,
  enabled boolean not null default true,
  roles public.member_role[] not null
    constraint notification_rules_roles_valid check (cardinality(roles) between 1 and 4 and private.elements_distinct(roles)),
  channels public.notification_channel[] not null
    constraint notification_rules_channels_valid check (cardinality(channels) between 1 and 3 and private.elements_distinct(channels)),
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, event)
);

create table public.notification_preferences (
  tenant_id uuid not null,
  user_id uuid not null,
  event public.notification_event not null,
  enabled boolean not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id, event),
  -- Leaving the company drops the person's preferences with the membership.
  constraint notification_preferences_membership foreign key (tenant_id, user_id)
    references public.memberships (tenant_id, user_id) on delete cascade
);

-- A member's own on/off per channel in the company: a channel turned off is left out of every
-- notice to them (the rule's others keep their order); with all three off they get none.
create table public.notification_channel_preferences (
  tenant_id uuid not null,
  user_id uuid not null,
  channel public.notification_channel not null,
  enabled boolean not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id, channel),
  constraint notification_channel_preferences_membership foreign key (tenant_id, user_id)
    references public.memberships (tenant_id, user_id) on delete cascade
);

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  event public.notification_event not null,
  payload jsonb not null default '{}' constraint notifications_payload_is_object check (jsonb_typeof(payload) = 'object'),
  recipient_user_id uuid references auth.users (id) on delete cascade,
  -- Where and how to say it, as they were when the notification was queued.
  locale text not null default 'pt-BR',
  to_phone text,
  to_email text,
  channels public.notification_channel[] not null constraint notifications_channels_valid check (cardinality(channels) between 1 and 3),
  -- How many of `channels` were tried (the next one is channels[channel_index + 1]).
  channel_index integer not null default 0 constraint notifications_channel_index_range check (channel_index between 0 and 3),
  status public.notification_status not null default 'pending',
  sent_channel public.notification_channel,
  -- Every attempt: [{channel, outcome: sent|failed|skipped, code, message, http_status, provider_id, at}].
  attempts jsonb not null default '[]' constraint notifications_attempts_is_array check (jsonb_typeof(attempts) = 'array'),
  last_error jsonb constraint notifications_last_error_is_object check (jsonb_typeof(last_error) = 'object'),
  next_attempt_at timestamptz not null default now(),
  lease_owner text constraint notifications_lease_owner_length check (char_length(lease_owner) between 1 and 200),
  lease_expires_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint notifications_lease_while_sending check ((status = 'sending') = (lease_owner is not null and lease_expires_at is not null))
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index notification_preferences_user_id_idx on public.notification_preferences (user_id);
create index notification_channel_preferences_user_id_idx on public.notification_channel_preferences (user_id);
create index notifications_tenant_recent_idx on public.notifications (tenant_id, created_at desc);
create index notifications_recipient_idx on public.notifications (recipient_user_id, created_at desc);
create index notifications_due_idx on public.notifications (next_attempt_at) where status = 'pending';
create index notifications_leased_idx on public.notifications (lease_expires_at) where status = 'sending';

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger notification_contacts_normalize_phone before insert or update of phone on public.notification_contacts
  for each row execute function private.normalize_phone_column('phone');
create trigger notification_contacts_touch_updated_at before update on public.notification_contacts
  for each row execute function private.touch_updated_at();
create trigger notification_contacts_guard_immutable before update on public.notification_contacts
  for each row execute function private.guard_immutable_columns('user_id', 'created_at');
create trigger notification_rules_touch_updated_at before update on public.notification_rules
  for each row execute function private.touch_updated_at();
create trigger notification_rules_guard_immutable before update on public.notification_rules
  for each row execute function private.guard_immutable_columns('tenant_id', 'event', 'created_at');
create trigger notification_rules_guard_writable before insert or update or delete on public.notification_rules
  for each row execute function private.guard_tenant_writable();
create trigger notification_preferences_touch_updated_at before update on public.notification_preferences
  for each row execute function private.touch_updated_at();
create trigger notification_preferences_guard_immutable before update on public.notification_preferences
  for each row execute function private.guard_immutable_columns('tenant_id', 'user_id', 'event');
create trigger notification_channel_preferences_touch_updated_at before update on public.notification_channel_preferences
  for each row execute function private.touch_updated_at();
create trigger notification_channel_preferences_guard_immutable before update on public.notification_channel_preferences
  for each row execute function private.guard_immutable_columns('tenant_id', 'user_id', 'channel');
create trigger notifications_touch_updated_at before update on public.notifications
  for each row execute function private.touch_updated_at();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.notification_contacts enable row level security;
alter table public.notification_rules enable row level security;
alter table public.notification_preferences enable row level security;
alter table public.notification_channel_preferences enable row level security;
alter table public.notifications enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "people read their own notification phone" on public.notification_contacts
  for select to authenticated using (user_id = (select auth.uid()));
create policy "people add their own notification phone" on public.notification_contacts
  for insert to authenticated with check (user_id = (select auth.uid()));
create policy "people change their own notification phone" on public.notification_contacts
  for update to authenticated using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "people remove their own notification phone" on public.notification_contacts
  for delete to authenticated using (user_id = (select auth.uid()));

create policy "members read their tenant's notification rules" on public.notification_rules
  for select to authenticated using ((select private.is_member(tenant_id)));
create policy "owners and admins add their tenant's notification rules" on public.notification_rules
  for insert to authenticated with check ((select private.has_capability(tenant_id, 'manage_members')));
create policy "owners and admins change their tenant's notification rules" on public.notification_rules
  for update to authenticated using ((select private.has_capability(tenant_id, 'manage_members')))
  with check ((select private.has_capability(tenant_id, 'manage_members')));
create policy "owners and admins remove their tenant's notification rules" on public.notification_rules
  for delete to authenticated using ((select private.has_capability(tenant_id, 'manage_members')));

create policy "members read their own notification preferences" on public.notification_preferences
  for select to authenticated using (user_id = (select auth.uid()));
create policy "members add their own notification preferences" on public.notification_preferences
  for insert to authenticated with check (user_id = (select auth.uid()) and (select private.is_member(tenant_id)));
create policy "members change their own notification preferences" on public.notification_preferences
  for update to authenticated using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()) and (select private.is_member(tenant_id)));
create policy "members remove their own notification preferences" on public.notification_preferences
  for delete to authenticated using (user_id = (select auth.uid()));

create policy "members read their own channel preferences" on public.notification_channel_preferences
  for select to authenticated using (user_id = (select auth.uid()));
create policy "members add their own channel preferences" on public.notification_channel_preferences
  for insert to authenticated with check (user_id = (select auth.uid()) and (select private.is_member(tenant_id)));
create policy "members change their own channel preferences" on public.notification_channel_preferences
  for update to authenticated using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()) and (select private.is_member(tenant_id)));
create policy "members remove their own channel preferences" on public.notification_channel_preferences
  for delete to authenticated using (user_id = (select auth.uid()));

create policy "members read the notifications sent to them" on public.notifications
  for select to authenticated using (recipient_user_id = (select auth.uid()) and (select private.is_member(tenant_id)));
create policy "owners and admins read their tenant's notifications" on public.notifications
  for select to authenticated using ((select private.has_capability(tenant_id, 'manage_members')));

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- The rule when the company stored none for the event (see the opening comment).
create or replace function private.default_notification_rule(target_event public.notification_event)
returns table (enabled boolean, roles public.member_role[], channels public.notification_channel[])
language sql
immutable
set search_path = ''
as $$
  select true,
         case target_event
           when 'handoff_requested' then array['owner', 'admin', 'member']
           when 'dead_letter' then array['owner', 'admin']
           when 'approval_requested' then array['owner', 'admin']
           when 'project_finished' then array['owner', 'admin']
           else array['owner']
         end::public.member_role[],
         case target_event
           when 'approval_requested' then array['email']
           else array['whatsapp', 'sms', 'email']
         end::public.notification_channel[];
$$;

/*
 * The company's rule for every event: the stored one, or the default (`is_default` true). A caller
 * who is not a member of the tenant gets no rows. Security definer with a reason: the defaults live
 * in `private`, which people cannot reach; it reads only what members may read anyway (the rules).
 * For the API's settings page.
 */
create or replace function public.notification_rules_of(target_tenant_id uuid)
returns table (event public.notification_event, enabled boolean, roles public.member_role[], channels public.notification_channel[],
               is_default boolean, updated_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select e.event, coalesce(r.enabled, d.enabled), coalesce(r.roles, d.roles), coalesce(r.channels, d.channels), r.tenant_id is null, r.updated_at
  from unnest(enum_range(null::public.notification_event)) as e(event)
  cross join lateral private.default_notification_rule(e.event) d
  left join public.notification_rules r on r.tenant_id = target_tenant_id and r.event = e.event
  where (select private.is_member(target_tenant_id))
  order by e.event;
$$;

/*
 * Queues `POST <functions url>/notify/run` with the service role key through pg_net (after commit),
 * unless one is already waiting in pg_net's queue (the pass it starts finds these too). Null when
 * Vault lacks the URL or key. Like private.kick_outbound.
 */
create or replace function private.kick_notify()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  functions_url text;
  service_key text;
  run_url text;
begin
  select s.decrypted_secret into functions_url from vault.decrypted_secrets s where s.name = 'renum_functions_url';
  select s.decrypted_secret into service_key from vault.decrypted_secrets s where s.name = 'renum_service_role_key';
  if functions_url is null or service_key is null then
    return null;
  end if;
  run_url := rtrim(functions_url, '/') || '/notify/run';
  if pg_catalog.has_table_privilege('net.http_request_queue', 'select')
     and exists (select from net.http_request_queue q where q.url = run_url) then
    return null;
  end if;
  return net.http_post(
    url := run_url,
    body := '{}'::jsonb,
    headers := pg_catalog.jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := 10000
  );
end;
$$;

/*
 * Queues the notification of `event` in `target_tenant_id` for each member the rule names (role)
 * and each member in `named_members` (people a team names, such as a step's approvers; ids that are
 * not members of the company are ignored), minus those who turned the event off, with their phone (notification_contacts), e-mail and locale,
 * and wakes the `notify` function. Returns how many were queued (0 when the rule is off). No caller
 * check: the service role and this domain's triggers call it; no other role may execute it.
 * Raises notification_event_invalid.
 */
create or replace function private.notify(target_tenant_id uuid, event text, payload jsonb default '{}', named_members uuid[] default '{}')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  wanted public.notification_event;
  rule record;
  queued integer;
begin
  if event is null or not (event = any (enum_range(null::public.notification_event)::text[])) then
    raise exception using errcode = '22023', constraint = 'notification_event_invalid',
      message = 'unknown notification event; one of handoff_requested, dead_letter, budget_80, approval_requested, project_finished';
  end if;
  wanted := event::public.notification_event;
  select coalesce(r.enabled, d.enabled) as enabled, coalesce(r.roles, d.roles) as roles, coalesce(r.channels, d.channels) as channels
  into rule
  from private.default_notification_rule(wanted) d
  left join public.notification_rules r on r.tenant_id = target_tenant_id and r.event = wanted;
  if not rule.enabled then
    return 0;
  end if;
  insert into public.notifications (tenant_id, event, payload, recipient_user_id, locale, to_phone, to_email, channels)
  select target_tenant_id, wanted, coalesce(payload, '{}'), m.user_id, coalesce(p.locale, 'pt-BR'), c.phone, coalesce(u.email, p.email), mine.channels
  from public.memberships m
  join auth.users u on u.id = m.user_id
  left join public.profiles p on p.id = m.user_id
  left join public.notification_contacts c on c.user_id = m.user_id
  -- The rule's channels in its order, less those the member turned off.
  cross join lateral (
    select array(
      select r.channel from unnest(rule.channels) with ordinality as r(channel, place)
      where not exists (
        select from public.notification_channel_preferences cp
        where cp.tenant_id = target_tenant_id and cp.user_id = m.user_id and cp.channel = r.channel and not cp.enabled
      )
      order by r.place
    )::public.notification_channel[] as channels
  ) mine
  where m.tenant_id = target_tenant_id and (m.role = any (rule.roles) or m.user_id = any (coalesce(named_members, '{}')))
    and cardinality(mine.channels) > 0
    and not exists (
      select from public.notification_preferences np
      where np.tenant_id = target_tenant_id and np.user_id = m.user_id and np.event = wanted and not np.enabled
    );
  get diagnostics queued = row_count;
  if queued > 0 then
    perform private.kick_notify();
  end if;
  return queued;
end;
$$;

/*
 * Notifications whose worker died mid-channel: the channel being tried counts as failed
 * (`delivery_interrupted`, never tried again — at most once per channel) and the notification
 * goes on to its next channel, or is dead when none is left. Returns how many. Service role only.
 */
create or replace function private.reap_notifications()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  reaped integer;
  interrupted jsonb := pg_catalog.jsonb_build_object('code', 'delivery_interrupted',
    'message', 'the worker stopped while sending; the provider may or may not have received it');
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role reaps notifications';
  end if;
  update public.notifications n
  set status = case when n.channel_index + 1 >= cardinality(n.channels) then 'dead' else 'pending' end::public.notification_status,
      channel_index = n.channel_index + 1,
      attempts = n.attempts || pg_catalog.jsonb_build_array(interrupted || pg_catalog.jsonb_build_object(
        'channel', n.channels[n.channel_index + 1], 'outcome', 'failed', 'at', now())),
      last_error = interrupted, lease_owner = null, lease_expires_at = null, next_attempt_at = now(),
      finished_at = case when n.channel_index + 1 >= cardinality(n.channels) then now() end
  where n.id in (
    select x.id from public.notifications x
    where x.status = 'sending' and x.lease_expires_at < now()
    for update skip locked
  );
  get diagnostics reaped = row_count;
  return reaped;
end;
$$;

/*
 * Leases up to `max_jobs` due notifications to `worker` for `lease_seconds`, each with what its
 * channels need: the recipient's phone and e-mail, and the tenant's WhatsApp inbox (its oldest
 * active one; null when it has none). Reaps expired leases first. Service role only. Raises
 * service_role_only, notification_claim_invalid.
 * A company that is not active (suspended, inactive) sends no notices, whatever the channel: its
 * notifications are not claimed and wait `pending` until it is active again (the watchdog's next
 * pass, within a minute, wakes the function for them).
 */
create or replace function private.claim_notifications(worker text, max_jobs integer default 20, lease_seconds integer default 60)
returns table (
  notification_id uuid,
  tenant_id uuid,
  event public.notification_event,
  payload jsonb,
  locale text,
  to_phone text,
  to_email text,
  channels public.notification_channel[],
  channel_index integer,
  inbox_id uuid,
  provider public.inbox_provider,
  meta_phone_number_id text,
  zapi_instance_id text,
  evolution_instance_name text,
  evolution_base_url text,
  tenant_name text
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role claims notifications';
  end if;
  if worker is null or char_length(worker) not between 1 and 200 or max_jobs not between 1 and 500 or lease_seconds not between 5 and 600 then
    raise exception using errcode = '22023', constraint = 'notification_claim_invalid',
      message = 'a claim needs a worker id (1-200 characters), 1-500 jobs and a lease of 5-600 s';
  end if;
  perform private.reap_notifications();
  return query
  with claimed as (
    update public.notifications n
    set status = 'sending', lease_owner = worker, lease_expires_at = now() + pg_catalog.make_interval(secs => lease_seconds)
    where n.id in (
      select x.id from public.notifications x
      where x.status = 'pending' and x.next_attempt_at <= now()
        and exists (select from public.tenants t where t.id = x.tenant_id and t.status = 'active')
      order by x.next_attempt_at
      limit max_jobs
      for update skip locked
    )
    returning n.*
  )
  select c.id, c.tenant_id, c.event, c.payload, c.locale, c.to_phone, c.to_email, c.channels, c.channel_index,
         i.id, i.provider, i.meta_phone_number_id, i.zapi_instance_id, i.evolution_instance_name, i.evolution_base_url, t.name
  from claimed c
  join public.tenants t on t.id = c.tenant_id
  left join lateral (
    select x.* from public.inboxes x where x.tenant_id = c.tenant_id and x.status = 'active' order by x.created_at, x.id limit 1
  ) i on true
  order by c.created_at;
end;
$$;

/*
 * The outcome of trying `channel` (the notification's next one) for a notification `worker` holds:
 * sent (done), failed or skipped (the channel cannot reach the person): on to the next channel,
 * dead after the last. failure: {code, message, http_status}. Renews the lease. Returns the status
 * after it, or null when `worker` no longer holds the notification (the reaper took it). Service
 * role only. Raises service_role_only, notification_attempt_invalid.
 */
create or replace function private.record_notification_attempt(
  target_notification_id uuid,
  worker text,
  channel public.notification_channel,
  outcome text,
  failure jsonb default null,
  provider_id text default null,
  lease_seconds integer default 60
)
returns public.notification_status
language plpgsql
security definer
set search_path = ''
as $$
declare
  job public.notifications;
  last boolean;
  next_status public.notification_status;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role records notifications';
  end if;
  if outcome is null or outcome not in ('sent', 'failed', 'skipped')
     or (outcome <> 'sent' and pg_catalog.jsonb_typeof(failure -> 'code') is distinct from 'string') then
    raise exception using errcode = '22023', constraint = 'notification_attempt_invalid',
      message = 'an attempt is sent, failed or skipped; a failure carries an error with its code';
  end if;
  select * into job from public.notifications n
  where n.id = target_notification_id and n.status = 'sending' and n.lease_owner = worker
  for update;
  if job.id is null then
    return null;
  end if;
  if job.channels[job.channel_index + 1] is distinct from channel then
    raise exception using errcode = '22023', constraint = 'notification_attempt_invalid',
      message = 'the attempt is not on the notification''s next channel';
  end if;
  last := job.channel_index + 1 >= cardinality(job.channels);
  next_status := case when outcome = 'sent' then 'sent' when last then 'dead' else 'sending' end;
  update public.notifications n
  set status = next_status,
      channel_index = n.channel_index + 1,
      sent_channel = case when outcome = 'sent' then channel end,
      attempts = n.attempts || pg_catalog.jsonb_build_array(coalesce(failure, '{}') || pg_catalog.jsonb_build_object(
        'channel', channel, 'outcome', outcome, 'provider_id', provider_id, 'at', now())),
      last_error = case when outcome = 'sent' then n.last_error else failure end,
      lease_owner = case when next_status = 'sending' then n.lease_owner end,
      lease_expires_at = case when next_status = 'sending' then now() + pg_catalog.make_interval(secs => lease_seconds) end,
      finished_at = case when next_status = 'sending' then null else now() end
  where n.id = job.id;
  return next_status;
end;
$$;

/*
 * The watchdog's pass, run by pg_cron every minute (a single short statement, not a looping
 * procedure: pg_cron runs few jobs at once): reaps expired leases, then wakes the `notify` function
 * when a notification is due (a lost kick, a reaped one, those of a company reactivated; not
 * those of a company that is not active). Returns the pg_net request id, or null.
 */
create or replace function private.rescue_notifications()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.reap_notifications();
  if exists (
    select from public.notifications n
    where n.status = 'pending' and n.next_attempt_at <= now()
      and exists (select from public.tenants t where t.id = n.tenant_id and t.status = 'active')
  ) then
    return private.kick_notify();
  end if;
  return null;
end;
$$;

-- ─── hooks: the events ────────────────────────────────────────────────────────────────────────
-- A conversation handed from the bot to people (private.hand_off_conversation: assignee
-- 'unassigned', status 'pending') notifies `handoff_requested`. Internal trigger.
create or replace function private.notify_handoff_requested()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.notify(new.tenant_id, 'handoff_requested', pg_catalog.jsonb_build_object(
    'conversation_id', new.id, 'inbox_id', new.inbox_id, 'contact_id', new.contact_id,
    'contact_name', (select k.name from public.contacts k where k.id = new.contact_id)));
  return null;
end;
$$;
create trigger conversations_notify_handoff after update of assignee on public.conversations
  for each row when (new.assignee = 'unassigned' and old.assignee = 'bot' and new.status = 'pending')
  execute function private.notify_handoff_requested();

-- A reply that became a dead letter (every retry failed, or its sending was interrupted) notifies
-- `dead_letter`. Internal trigger.
create or replace function private.notify_dead_letter()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.notify(new.tenant_id, 'dead_letter', pg_catalog.jsonb_build_object(
    'dead_letter_id', new.id, 'conversation_id', new.conversation_id, 'message_id', new.message_id,
    'inbox_id', new.inbox_id, 'error_code', new.last_error ->> 'code'));
  return null;
end;
$$;
create trigger outbound_deliveries_notify_dead_letter after update of status on private.outbound_deliveries
  for each row when (new.status = 'dead' and old.status is distinct from 'dead')
  execute function private.notify_dead_letter();

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-rescue-notifications', '* * * * *', 'select private.rescue_notifications()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.notification_contacts, public.notification_rules, public.notification_preferences,
  public.notification_channel_preferences, public.notifications from anon, authenticated, service_role;
grant select, delete on public.notification_contacts to authenticated;
grant insert (user_id, phone), update (phone) on public.notification_contacts to authenticated;
grant select, delete on public.notification_rules to authenticated;
grant insert (tenant_id, event, enabled, roles, channels, updated_by), update (enabled, roles, channels, updated_by)
  on public.notification_rules to authenticated;
grant select, delete on public.notification_preferences to authenticated;
grant insert (tenant_id, user_id, event, enabled), update (enabled) on public.notification_preferences to authenticated;
grant select, delete on public.notification_channel_preferences to authenticated;
grant insert (tenant_id, user_id, channel, enabled), update (enabled) on public.notification_channel_preferences to authenticated;
grant select on public.notifications to authenticated;
grant select on public.notification_contacts, public.notification_rules, public.notification_preferences,
  public.notification_channel_preferences, public.notifications to service_role;

revoke all on function private.elements_distinct(anyarray) from public;
revoke all on function private.default_notification_rule(public.notification_event) from public;
revoke all on function public.notification_rules_of(uuid) from public, anon;
revoke all on function private.kick_notify(), private.reap_notifications(), private.claim_notifications(text, integer, integer),
  private.record_notification_attempt(uuid, text, public.notification_channel, text, jsonb, text, integer),
  private.rescue_notifications(), private.notify(uuid, text, jsonb, uuid[]) from public, anon, authenticated;
revoke all on function private.notify_handoff_requested(), private.notify_dead_letter() from public, anon, authenticated;
grant execute on function private.elements_distinct(anyarray) to authenticated, service_role;
grant execute on function private.default_notification_rule(public.notification_event) to authenticated, service_role;
grant execute on function public.notification_rules_of(uuid) to authenticated;
grant execute on function private.notify(uuid, text, jsonb, uuid[]) to service_role;
grant execute on function private.kick_notify() to service_role;
grant execute on function private.reap_notifications() to service_role;
grant execute on function private.claim_notifications(text, integer, integer) to service_role;
grant execute on function private.record_notification_attempt(uuid, text, public.notification_channel, text, jsonb, text, integer) to service_role;
grant execute on function private.rescue_notifications() to service_role;
