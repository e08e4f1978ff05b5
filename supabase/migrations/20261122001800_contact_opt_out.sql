-- contact opt-out: a contact who writes an opt-out word ("SAIR", "PARAR", "STOP", "CANCELAR", or
-- the words the company chose) gets no proactive message any more (notifications, interview
-- invitations): contacts.opted_out_at is set, with the reason. An opt-in word ("VOLTAR", "START")
-- or a person clears it. A message counts when its whole text is such a word once trimmed, with
-- case and accents folded ("  Sair! " and "sáir" are "sair"); the bot answers nothing to it.
--
-- The words live in the responder settings beside the handoff keywords, so an inbox follows its
-- own row, else the company's default, else the built-in words (private.opt_words_for_inbox).
-- Every change of opted_out_at is in the audit log (who: the service for a contact's message, or
-- the person).
--
-- Anyone sending a proactive message asks private.accepts_proactive_messages(contact): not blocked
-- and not opted out. Replies to the contact's own messages are not proactive.
--
-- Who may do what:
--   owner, admin                 change the words (manage_inboxes, as the other responder settings)
--   owner, admin, member         opt a contact out or back in (handle_conversations, like blocking)
--   analyst                      reads
--   service                      applies the contact's words (the messages trigger)
--
-- Who writes each table:
--   contacts.opted_out_at, opt_out_reason   the messages trigger below; people through the API or direct

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- A message or a word as compared: lower case, accents taken off, spaces and the punctuation
-- people put around a word trimmed ("  Sáir! " → "sair").
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

-- At most 50 words of 1 to 64 characters (checked once the trigger below has folded them, so a
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

-- ─── columns ──────────────────────────────────────────────────────────────────────────────────
alter table public.contacts
  -- Null: the contact may receive proactive messages.
  add column opted_out_at timestamptz,
  -- Why: 'word:<the folded word>' when the contact wrote it, else what the person said.
  add column opt_out_reason text constraint contacts_opt_out_reason_length check (char_length(opt_out_reason) <= 500),
  add constraint contacts_opt_out_reason_needs_opt_out check (opted_out_at is not null or opt_out_reason is null);

create index contacts_opted_out_idx on public.contacts (tenant_id) where opted_out_at is not null;

alter table public.responder_settings
  add column opt_out_words text[] not null default array['sair', 'parar', 'stop', 'cancelar']
    constraint responder_settings_opt_out_words_bounds check (private.are_opt_words(opt_out_words)),
  add column opt_in_words text[] not null default array['voltar', 'start']
    constraint responder_settings_opt_in_words_bounds check (private.are_opt_words(opt_in_words)),
  add constraint responder_settings_opt_words_disjoint check (not (opt_out_words && opt_in_words));

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- Words are compared folded, so they are kept folded and once (before the disjoint check).
-- Security definer with a reason: people writing settings may not use the private schema where
-- private.fold_word lives.
create or replace function private.fold_opt_words()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.opt_out_words := (select coalesce(array_agg(distinct private.fold_word(w)), '{}') from unnest(new.opt_out_words) w);
  new.opt_in_words := (select coalesce(array_agg(distinct private.fold_word(w)), '{}') from unnest(new.opt_in_words) w);
  return new;
end;
$$;

create trigger responder_settings_fold_opt_words before insert or update of opt_out_words, opt_in_words on public.responder_settings
  for each row execute function private.fold_opt_words();

-- opted_out_at is the moment it happened, whoever writes it: set now when a contact opts out, kept
-- while they stay out, and the reason goes with it when they come back.
create or replace function private.stamp_opt_out()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.opted_out_at is null then
    if tg_op = 'UPDATE' and old.opted_out_at is not null then
      new.opt_out_reason := null;
    end if;
  elsif tg_op = 'UPDATE' and old.opted_out_at is not null then
    new.opted_out_at := old.opted_out_at;
  else
    new.opted_out_at := now();
  end if;
  return new;
end;
$$;

create trigger contacts_stamp_opt_out before insert or update of opted_out_at, opt_out_reason on public.contacts
  for each row execute function private.stamp_opt_out();
-- The record of every opt-out and opt-in (the other audited columns have their own trigger).
create trigger contacts_audit_opt_out after update on public.contacts
  for each row when (old.opted_out_at is distinct from new.opted_out_at or old.opt_out_reason is distinct from new.opt_out_reason)
  execute function private.audit_row_change();

-- ─── functions that read it ───────────────────────────────────────────────────────────────────
/*
 * The opt-out and opt-in words an inbox follows (folded): its own settings, else its company's
 * default, else the built-in words. Service side.
 */
create or replace function private.opt_words_for_inbox(target_inbox_id uuid, out opt_out_words text[], out opt_in_words text[])
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(s.opt_out_words, array['sair', 'parar', 'stop', 'cancelar']), coalesce(s.opt_in_words, array['voltar', 'start'])
  from (select null) nothing
  left join lateral private.responder_settings_for_inbox(target_inbox_id) s on true;
$$;

/*
 * 'opt_out', 'opt_in' or null: what a contact's message to this inbox says about being contacted
 * (its whole text one of the words, folded).
 */
create or replace function private.opt_word_of(target_inbox_id uuid, body text)
returns text
language sql
stable
set search_path = ''
as $$
  select case when char_length(body) > 80 then null
              when private.fold_word(body) = any (w.opt_out_words) then 'opt_out'
              when private.fold_word(body) = any (w.opt_in_words) then 'opt_in' end
  from private.opt_words_for_inbox(target_inbox_id) w;
$$;

-- True when the company may send this contact a message of its own accord.
create or replace function private.accepts_proactive_messages(contact public.contacts)
returns boolean
language sql
stable
set search_path = ''
as $$
  select contact.status <> 'blocked' and contact.opted_out_at is null;
$$;

/*
 * A contact's opt-out or opt-in words, once per statement: the last such message of each contact
 * in the batch decides. Opting out again keeps the first moment; opting in an opted-in contact
 * changes nothing (so the audit log holds only real changes).
 */
create or replace function private.apply_contact_opt_words()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  decision record;
begin
  for decision in
    select distinct on (n.contact_id) n.contact_id, w.word_kind, private.fold_word(n.body) as word
    from new_messages n
    cross join lateral (select private.opt_word_of(n.inbox_id, n.body) as word_kind) w
    where n.direction = 'in' and n.type = 'text' and char_length(n.body) <= 80 and w.word_kind is not null
    order by n.contact_id, n.message_index desc
  loop
    if decision.word_kind = 'opt_out' then
      update public.contacts c set opted_out_at = now(), opt_out_reason = 'word:' || decision.word
      where c.id = decision.contact_id and c.opted_out_at is null;
    else
      update public.contacts c set opted_out_at = null
      where c.id = decision.contact_id and c.opted_out_at is not null;
    end if;
  end loop;
  return null;
end;
$$;

create trigger messages_apply_contact_opt_words after insert on public.messages
  referencing new table as new_messages
  for each statement execute function private.apply_contact_opt_words();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant update (opted_out_at, opt_out_reason) on public.contacts to authenticated;
grant insert (opt_out_words, opt_in_words) on public.responder_settings to authenticated;
grant update (opt_out_words, opt_in_words) on public.responder_settings to authenticated;
grant execute on function private.fold_word(text) to service_role;
grant execute on function private.are_opt_words(text[]) to authenticated, service_role;
grant execute on function private.opt_words_for_inbox(uuid) to service_role;
grant execute on function private.opt_word_of(uuid, text) to service_role;
grant execute on function private.accepts_proactive_messages(public.contacts) to service_role;
