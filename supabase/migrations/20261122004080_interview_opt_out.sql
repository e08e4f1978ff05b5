-- interview opt-out: a contact who opts out of messages (contacts.opted_out_at set, by their own
-- word or by a person; 20261122001800) is not interviewed any more. Their interviews that have not
-- ended (pending, invited, in_progress) are cancelled at once, in the same transaction: status
-- cancelled, ended_at now, cancel_reason 'contact_opted_out' (recorded in the audit log like every
-- cancellation). Completed, expired and already cancelled interviews are left as they are, and
-- opting back in revives nothing: a person launches or resends an interview again if they want.
--
-- Before this, a pending interview of an opted-out contact was only cancelled when its invitation
-- came due (contact_unreachable, 20261122004040), and an invited or in-progress one went on.
--
-- Lock order: contact → interviews of that contact. When the contact writes the word, the ingest
-- already holds the conversation, so this takes interview rows after the conversation — the
-- reverse of the invitation and reminder jobs (interview → conversation, 20261122004040/4050). If
-- a job is inviting or reminding this very contact at that instant the two can deadlock and
-- Postgres rolls one of them back; taking the rows with skip locked instead would let that job
-- send to a contact who has just opted out, which is worse.
--
-- Who may do what: whoever may opt a contact out (owner, admin, member; the service for the
-- contact's word) cancels that contact's open interviews through it; nobody calls it directly.

-- ─── functions used by the triggers ───────────────────────────────────────────────────────────
-- Security definer: a member may opt a contact out but not write interviews.
create or replace function private.cancel_interviews_of_opted_out_contact()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.interviews i set status = 'cancelled', ended_at = now(), cancel_reason = 'contact_opted_out',
                                 metadata = i.metadata - 'invitation_waiting' - 'invitation_checked_at'
  where i.contact_id = new.id and i.tenant_id = new.tenant_id and i.status in ('pending', 'invited', 'in_progress');
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger contacts_cancel_interviews_on_opt_out after update of opted_out_at on public.contacts
  for each row when (old.opted_out_at is null and new.opted_out_at is not null)
  execute function private.cancel_interviews_of_opted_out_contact();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.cancel_interviews_of_opted_out_contact() from public, anon, authenticated;
