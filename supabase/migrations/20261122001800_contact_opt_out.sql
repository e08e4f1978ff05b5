-- contact opt-out: a contact who writes an opt-out word ("SAIR", "PARAR", "STOP", "CANCELAR", or
-- the words the company chose) gets no proactive message any more (notifications, interview
-- invitations): contacts.opted_out_at is set, with the reason. An opt-in word ("VOLTAR", "START")
-- or a person clears it. A message counts when its whole text is such a word once trimmed, with
-- case and accents folded ("  Sair! " and "sáir" are "sair"); the bot answers nothing to it.
--
-- The words live in the responder settings beside the handoff keywords (20261122001700: an inbox
-- follows its own row, else the company's default, else the built-in words; private.opt_word_of),
-- and the turns trigger (20261122001710) opens no turn for a batch of such words. Every change of
-- opted_out_at is in the audit log (who: the service for a contact's message, or the person).
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

-- ─── columns ──────────────────────────────────────────────────────────────────────────────────
alter table public.contacts
  -- Null: the contact may receive proactive messages.
  add column opted_out_at timestamptz,
  -- Why: 'word:<the folded word>' when the contact wrote it, else what the person said.
  add column opt_out_reason text constraint contacts_opt_out_reason_length check (char_length(opt_out_reason) <= 500),
  add constraint contacts_opt_out_reason_needs_opt_out check (opted_out_at is not null or opt_out_reason is null);

create index contacts_opted_out_idx on public.contacts (tenant_id) where opted_out_at is not null;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
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
    -- Only short texts can be a word: the settings are read for those alone.
    from (select * from new_messages m where m.direction = 'in' and m.type = 'text' and char_length(m.body) <= 80 offset 0) n
    cross join lateral (select private.opt_word_of(private.responder_settings_for_inbox(n.inbox_id), n.body) as word_kind) w
    where w.word_kind is not null
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
grant execute on function private.accepts_proactive_messages(public.contacts) to service_role;
