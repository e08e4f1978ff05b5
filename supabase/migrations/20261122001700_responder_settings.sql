-- responder settings: who answers an inbox's contacts and when. One row per inbox, and one row per
-- company (inbox_id null) that inboxes without a row of their own follow; with neither, nobody
-- answers (humans only). A row names a team of the engine (null: nobody, humans only), business
-- hours in a time zone with the reply sent outside them, the words that hand a conversation to a
-- person, how many bot turns a conversation may take before it goes to a person, how long the bot
-- waits for a contact to finish typing (debounce), how many past messages a reply reads, and the
-- words by which a contact opts out of proactive messages or back in (applied in
-- 20261122001800_contact_opt_out; the bot answers nothing to them).
--
-- Who may do what:
--   owner, admin                     create, change and delete settings (manage_inboxes)
--   member, analyst                  read them
--   service                          reads them to answer
--
-- Who writes each table:
--   responder_settings   owners and admins, through the API or direct

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- True for a time zone name Postgres knows (IANA names such as America/Sao_Paulo).
create or replace function private.is_time_zone(name text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (select from pg_catalog.pg_timezone_names z where z.name = is_time_zone.name);
$$;

-- Every keyword is 1 to 64 characters of text that is not only spaces.
create or replace function private.are_handoff_keywords(keywords text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select not exists (select from unnest(keywords) k where char_length(btrim(k)) not between 1 and 64);
$$;

-- A message or a word as compared with the opt-out and opt-in words: lower case, accents taken
-- off, spaces and the punctuation people put around a word trimmed ("  Sáir! " → "sair").
create or replace function private.fold_word(word text)
returns text
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.btrim(
    pg_catalog.translate(pg_catalog.lower(word), 'áàâãäåéèêëíìîïóòôõöúùûüçñý', 'aaaaaaeeeeiiiiooooouuuucny'),
    E' \t\r\n.,;:!?¡¿"''()*_~-');
$$;

-- At most 50 words of 1 to 64 characters (checked once the guard trigger has folded them, so a
-- word that is only spaces or punctuation is refused).
create or replace function private.are_opt_words(words text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select cardinality(words) <= 50 and array_position(words, null) is null
     and not exists (select from unnest(words) w where char_length(w) not between 1 and 64);
$$;

/*
 * True for business hours written as {"mon": [["09:00", "18:00"]], "tue": [...], ...}: keys are
 * the days mon..sun, each a list of at most 4 [opens, closes] pairs of HH:MM with opens < closes
 * ("24:00" closes at midnight). A day that is absent is closed all day.
 */
create or replace function private.are_business_hours(hours jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(hours) = 'object'
     and not exists (
       select from pg_catalog.jsonb_each(hours) d
       where d.key not in ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
          or pg_catalog.jsonb_typeof(d.value) <> 'array'
          or pg_catalog.jsonb_array_length(d.value) > 4
          or exists (
            select from pg_catalog.jsonb_array_elements(d.value) r
            where pg_catalog.jsonb_typeof(r) <> 'array' or pg_catalog.jsonb_array_length(r) <> 2
               or coalesce(r ->> 0, '') !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
               or coalesce(r ->> 1, '') !~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'
               or (r ->> 0) >= (r ->> 1)));
$$;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.responder_settings (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  -- Null: the company's default, for inboxes without settings of their own.
  inbox_id uuid references public.inboxes (id) on delete cascade,
  -- Null: nobody answers, people only. A deleted team leaves its inboxes to people.
  team_id uuid references public.teams (id) on delete set null,
  time_zone text not null default 'America/Sao_Paulo'
    constraint responder_settings_time_zone_known check (private.is_time_zone(time_zone)),
  -- Null: the bot answers at any hour.
  business_hours jsonb constraint responder_settings_business_hours_format check (private.are_business_hours(business_hours)),
  -- Sent once per conversation and closed period when a contact writes outside business hours; null: nothing is sent.
  out_of_hours_reply text constraint responder_settings_out_of_hours_reply_length
    check (char_length(btrim(out_of_hours_reply)) between 1 and 4096),
  handoff_keywords text[] not null default array['atendente', 'humano', 'human', 'agent']
    constraint responder_settings_handoff_keywords_bounds
    check (cardinality(handoff_keywords) <= 50 and array_position(handoff_keywords, null) is null
           and private.are_handoff_keywords(handoff_keywords)),
  max_bot_turns integer not null default 10 constraint responder_settings_max_bot_turns_range check (max_bot_turns between 1 and 1000),
  debounce_ms integer not null default 3000 constraint responder_settings_debounce_ms_range check (debounce_ms between 0 and 60000),
  history_messages integer not null default 20 constraint responder_settings_history_messages_range check (history_messages between 1 and 100),
  -- A contact's message that is one of these words, whole (private.fold_word), opts them out of
  -- proactive messages; one of opt_in_words brings them back. Kept folded.
  opt_out_words text[] not null default array['sair', 'parar', 'stop', 'cancelar']
    constraint responder_settings_opt_out_words_bounds check (private.are_opt_words(opt_out_words)),
  opt_in_words text[] not null default array['voltar', 'start']
    constraint responder_settings_opt_in_words_bounds check (private.are_opt_words(opt_in_words)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint responder_settings_opt_words_disjoint check (not (opt_out_words && opt_in_words))
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create unique index responder_settings_one_default_per_tenant on public.responder_settings (tenant_id) where inbox_id is null;
create unique index responder_settings_one_per_inbox on public.responder_settings (inbox_id) where inbox_id is not null;
create index responder_settings_team_id_idx on public.responder_settings (team_id);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- The inbox and the team are the row's company's. Security definer with a reason: it reads
-- inboxes and teams whatever the caller may see, so a foreign id is refused, not hidden.
create or replace function private.guard_responder_settings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.inbox_id is not null and not exists (select from public.inboxes i where i.id = new.inbox_id and i.tenant_id = new.tenant_id) then
    raise exception using errcode = '22023', constraint = 'responder_inbox_not_in_tenant', column = 'inbox_id',
      message = 'the inbox is not one of this company''s inboxes', detail = pg_catalog.jsonb_build_object('field', 'inbox_id')::text;
  end if;
  if new.team_id is not null and not exists (select from public.teams t where t.id = new.team_id and t.tenant_id = new.tenant_id) then
    raise exception using errcode = '22023', constraint = 'responder_team_not_in_tenant', column = 'team_id',
      message = 'the team is not one of this company''s teams', detail = pg_catalog.jsonb_build_object('field', 'team_id')::text;
  end if;
  -- Keywords are matched lower-case, so they are kept that way.
  new.handoff_keywords := (select coalesce(array_agg(distinct lower(btrim(k))), '{}') from unnest(new.handoff_keywords) k);
  -- Opt words are compared folded: kept folded and once (before the checks, so a word in both lists is seen).
  new.opt_out_words := (select coalesce(array_agg(distinct private.fold_word(w)), '{}') from unnest(new.opt_out_words) w);
  new.opt_in_words := (select coalesce(array_agg(distinct private.fold_word(w)), '{}') from unnest(new.opt_in_words) w);
  return new;
end;
$$;

create trigger responder_settings_touch_updated_at before update on public.responder_settings
  for each row execute function private.touch_updated_at();
create trigger responder_settings_guard_immutable before update on public.responder_settings
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'inbox_id', 'created_at');
create trigger responder_settings_guard before insert or update on public.responder_settings
  for each row execute function private.guard_responder_settings();
create trigger responder_settings_guard_writable before insert or update or delete on public.responder_settings
  for each row execute function private.guard_tenant_writable();
create trigger responder_settings_audit after insert or update or delete on public.responder_settings
  for each row execute function private.audit_row_change();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.responder_settings enable row level security;

create policy "members read their tenant's responder settings" on public.responder_settings
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "inbox managers create their tenant's responder settings" on public.responder_settings
  for insert to authenticated
  with check (private.has_capability(tenant_id, 'manage_inboxes'));
create policy "inbox managers change their tenant's responder settings" on public.responder_settings
  for update to authenticated
  using (private.has_capability(tenant_id, 'manage_inboxes'))
  with check (private.has_capability(tenant_id, 'manage_inboxes'));
create policy "inbox managers delete their tenant's responder settings" on public.responder_settings
  for delete to authenticated
  using (private.has_capability(tenant_id, 'manage_inboxes'));

-- ─── functions that read it ───────────────────────────────────────────────────────────────────
/*
 * The settings an inbox follows: its own row, else its company's default, else the built-in
 * defaults with nobody answering (team_id null). Service side (the turn functions).
 */
create or replace function private.responder_settings_for_inbox(target_inbox_id uuid)
returns public.responder_settings
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    (select s from public.responder_settings s where s.inbox_id = target_inbox_id),
    (select s from public.responder_settings s join public.inboxes i on i.tenant_id = s.tenant_id
     where i.id = target_inbox_id and s.inbox_id is null),
    (select pg_catalog.jsonb_populate_record(null::public.responder_settings, pg_catalog.jsonb_build_object(
       'tenant_id', i.tenant_id, 'time_zone', 'America/Sao_Paulo', 'handoff_keywords', array['atendente', 'humano', 'human', 'agent'],
       'max_bot_turns', 10, 'debounce_ms', 3000, 'history_messages', 20,
       'opt_out_words', array['sair', 'parar', 'stop', 'cancelar'], 'opt_in_words', array['voltar', 'start']))
     from public.inboxes i where i.id = target_inbox_id));
$$;

/*
 * True when `at` falls inside the business hours, read in the settings' time zone (null hours:
 * always open).
 */
create or replace function private.is_within_business_hours(hours jsonb, time_zone text, at timestamptz)
returns boolean
language sql
stable
set search_path = ''
as $$
  select hours is null or exists (
    select from pg_catalog.jsonb_array_elements(hours -> lower(pg_catalog.to_char(at at time zone time_zone, 'Dy'))) r
    where pg_catalog.to_char(at at time zone time_zone, 'HH24:MI') >= r ->> 0
      and pg_catalog.to_char(at at time zone time_zone, 'HH24:MI') < r ->> 1);
$$;

/*
 * 'opt_out', 'opt_in' or null: what a contact's message says about being contacted, by the
 * settings' words (its whole text one of them, folded).
 */
create or replace function private.opt_word_of(settings public.responder_settings, body text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when char_length(body) > 80 then null
              when private.fold_word(body) = any (settings.opt_out_words) then 'opt_out'
              when private.fold_word(body) = any (settings.opt_in_words) then 'opt_in' end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.responder_settings from anon, authenticated;
grant select, delete on public.responder_settings to authenticated;
grant insert (tenant_id, inbox_id, team_id, time_zone, business_hours, out_of_hours_reply, handoff_keywords, max_bot_turns, debounce_ms, history_messages,
              opt_out_words, opt_in_words)
  on public.responder_settings to authenticated;
grant update (team_id, time_zone, business_hours, out_of_hours_reply, handoff_keywords, max_bot_turns, debounce_ms, history_messages,
              opt_out_words, opt_in_words)
  on public.responder_settings to authenticated;
grant execute on function private.is_time_zone(text) to authenticated, service_role;
grant execute on function private.are_business_hours(jsonb) to authenticated, service_role;
grant execute on function private.are_handoff_keywords(text[]) to authenticated, service_role;
grant execute on function private.are_opt_words(text[]) to authenticated, service_role;
grant execute on function private.fold_word(text) to service_role;
grant execute on function private.opt_word_of(public.responder_settings, text) to service_role;
grant execute on function private.responder_settings_for_inbox(uuid) to service_role;
grant execute on function private.is_within_business_hours(jsonb, text, timestamptz) to service_role;
