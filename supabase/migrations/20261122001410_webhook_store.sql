-- webhook store: what the `webhooks` edge function asks of the database before it answers a
-- provider. First the inbox the URL names (active, of that provider) and the one secret that
-- authenticates the request; then, once the signature or token matched, the raw event, committed
-- before the 200 — the same body again for the same inbox is the same event, stored once.
--
-- One round trip per POST in the common case: the `webhooks` function keeps what
-- private.webhook_inbox answered (the inbox and its secret) for a short while, and the store itself
-- re-checks, in the same statement that keeps the event, that the inbox is still active and
-- the secret the request was checked with is still the current one (by its updated_at): a disabled
-- inbox or a rotated secret take effect at once, a cached answer can only cost a retry of the
-- lookup, never an event accepted with an old secret. The plaintext comes from
-- private.inbox_secret (20261122001020_inbox_rules.sql), the one place that decrypts inbox secrets.
--
-- Who may do what: the service role only (the `webhooks` function connects as it).
-- Who writes each table: public.webhook_events (store_webhook_event).

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
/*
 * The tenant of an active inbox of `expected_provider`, the plaintext of its secret of
 * `secret_kind` (null when that secret is not set) and when that secret was last set. No row for an
 * unknown inbox, a disabled one, or one of another provider: the caller answers 404 without telling
 * which.
 */
create or replace function private.webhook_inbox(target_inbox_id uuid, expected_provider public.inbox_provider, secret_kind public.inbox_secret_kind)
returns table (tenant_id uuid, meta_phone_number_id text, secret text, secret_updated_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can read inbox secrets';
  end if;
  return query
    select i.tenant_id, i.meta_phone_number_id, private.inbox_secret(i.id, secret_kind), s.updated_at
    from public.inboxes i
    left join private.inbox_secrets s on s.inbox_id = i.id and s.kind = secret_kind
    where i.id = target_inbox_id and i.provider = expected_provider and i.status = 'active';
end;
$$;

/*
 * Keeps one POST of a provider exactly as it came (the body the signature covered and the headers
 * that matter), pending until processed. Idempotent on (inbox, sha256 of the body): a provider's
 * retry of the same notification answers the event already kept, with `duplicate` true.
 * Refuses an inbox that is not active (`inbox_not_found`) and, when the caller says which secret
 * it checked the request with and when that secret was set, a secret set since
 * (`inbox_secret_changed`: look the inbox up again and check the request again).
 */
create or replace function private.store_webhook_event(
  target_inbox_id uuid,
  raw_body text,
  headers jsonb default '{}',
  checked_secret_kind public.inbox_secret_kind default null,
  checked_secret_updated_at timestamptz default null
)
returns table (event_id bigint, duplicate boolean)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  inbox record;
  body_digest bytea := extensions.digest(raw_body, 'sha256');
  stored_id bigint;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can store webhook events';
  end if;
  select i.tenant_id, i.provider into inbox from public.inboxes i where i.id = target_inbox_id and i.status = 'active';
  if inbox.tenant_id is null then
    raise exception using errcode = 'P0002', constraint = 'inbox_not_found', message = 'there is no such active inbox';
  end if;
  if checked_secret_kind is not null and checked_secret_updated_at is distinct from (
       select s.updated_at from private.inbox_secrets s where s.inbox_id = target_inbox_id and s.kind = checked_secret_kind) then
    raise exception using errcode = 'P0001', constraint = 'inbox_secret_changed',
      message = 'the inbox''s secret changed after this request was checked';
  end if;
  insert into public.webhook_events (tenant_id, inbox_id, provider, raw_body, body_sha256, headers, next_attempt_at)
  values (inbox.tenant_id, target_inbox_id, inbox.provider, raw_body, body_digest, coalesce(headers, '{}'), now())
  on conflict (inbox_id, body_sha256) do nothing
  returning id into stored_id;
  if stored_id is not null then
    return query select stored_id, false;
  else
    return query select e.id, true from public.webhook_events e
      where e.inbox_id = target_inbox_id and e.body_sha256 = body_digest;
  end if;
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke execute on function private.webhook_inbox(uuid, public.inbox_provider, public.inbox_secret_kind) from public;
revoke execute on function private.store_webhook_event(uuid, text, jsonb, public.inbox_secret_kind, timestamptz) from public;
grant execute on function private.webhook_inbox(uuid, public.inbox_provider, public.inbox_secret_kind) to service_role;
grant execute on function private.store_webhook_event(uuid, text, jsonb, public.inbox_secret_kind, timestamptz) to service_role;
