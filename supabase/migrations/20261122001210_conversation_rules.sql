-- conversation rules: closing, reopening and assigning, by the people who handle conversations.
-- Closing stamps closed_at; reopening is refused while the contact has another open conversation
-- in the inbox (conversation_already_open; the unique index conversations_one_open_per_contact
-- holds it under races too). An assignee is a member of the conversation's company. People may
-- reset unread_count (to 0), never raise it: webhooks count.
--
-- Who may do what:
--   owner, admin, member   close, reopen, assign, mark read
--   analyst                reads
--   service                opens conversations and counts messages (record_webhook_message)
--
-- Who writes each table:
--   conversations   private.record_webhook_message (service); update (status, assignee,
--                   assignee_user_id, unread_count) by people with handle_conversations

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: it reads the company's memberships and the other conversations
-- of the contact, whatever the caller may see.
create or replace function private.guard_conversation_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.unread_count > 0 and new.unread_count <> old.unread_count and not private.is_trusted_caller() then
    raise exception using errcode = '22023', constraint = 'unread_count_reset_only', column = 'unread_count',
      message = 'unread_count can only be reset to 0';
  end if;
  if new.assignee_user_id is not null and new.assignee_user_id is distinct from old.assignee_user_id
     and not exists (select from public.memberships m where m.tenant_id = new.tenant_id and m.user_id = new.assignee_user_id) then
    raise exception using errcode = '22023', constraint = 'assignee_not_member', column = 'assignee_user_id',
      message = 'a conversation is assigned to a member of its company',
      detail = pg_catalog.jsonb_build_object('field', 'assignee_user_id')::text;
  end if;
  if new.status = 'closed' and old.status <> 'closed' then
    new.closed_at := now();
  elsif new.status <> 'closed' and old.status = 'closed' then
    if exists (select from public.conversations c
               where c.inbox_id = new.inbox_id and c.contact_id = new.contact_id and c.status <> 'closed' and c.id <> new.id) then
      raise exception using errcode = 'P0001', constraint = 'conversation_already_open',
        message = 'this contact already has an open conversation in this inbox: continue that one',
        detail = pg_catalog.jsonb_build_object('conversation_id', new.id)::text;
    end if;
    new.closed_at := null;
  end if;
  return new;
end;
$$;

create trigger conversations_touch_updated_at before update on public.conversations
  for each row execute function private.touch_updated_at();
create trigger conversations_guard_immutable before update on public.conversations
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'inbox_id', 'contact_id', 'created_at');
create trigger conversations_guard_change before update on public.conversations
  for each row execute function private.guard_conversation_change();
create trigger conversations_guard_writable before update or delete on public.conversations
  for each row execute function private.guard_tenant_writable();
-- What people decide is audited (status, assignee); the counters webhooks move are not.
create trigger conversations_audit_update after update on public.conversations
  for each row when (old.status is distinct from new.status or old.assignee is distinct from new.assignee
                     or old.assignee_user_id is distinct from new.assignee_user_id)
  execute function private.audit_row_change();

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "conversation handlers change their tenant's conversations" on public.conversations
  for update to authenticated
  using (private.has_capability(tenant_id, 'handle_conversations'))
  with check (private.has_capability(tenant_id, 'handle_conversations'));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant update (status, assignee, assignee_user_id, unread_count) on public.conversations to authenticated;
