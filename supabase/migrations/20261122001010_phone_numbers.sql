-- phone numbers: one spelling per person. Every phone Renum keeps (contacts, inboxes) is E.164;
-- Brazilian mobiles always carry the ninth digit, whatever the provider or the person typed, so
-- the same person is one contact. `_shared/phone.ts` answers the same cases in TypeScript
-- (`_shared/phone-cases.ts` is the one list; pgTAP 100 holds a copy).
--
-- Who may do what: anyone may normalise a number (a pure function); the triggers below normalise
-- every phone written to contacts and inboxes, by whoever writes it.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Country calling codes for numbers written without one (the default country of the inbox or of
-- the person typing). Brazil is the product's home; the others are the ones people meet most.
create or replace function private.country_calling_code(country text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case upper(btrim(country))
    when 'BR' then '55' when 'US' then '1' when 'CA' then '1' when 'PT' then '351' when 'AR' then '54'
    when 'MX' then '52' when 'CL' then '56' when 'CO' then '57' when 'PE' then '51' when 'UY' then '598'
    when 'PY' then '595' when 'BO' then '591' when 'ES' then '34' when 'GB' then '44' when 'DE' then '49'
    when 'FR' then '33' when 'IT' then '39'
  end;
$$;

/*
 * E.164 for a phone as people and providers write it: spaces, dots, dashes and parentheses are
 * dropped, and so is a WhatsApp chat suffix (`@s.whatsapp.net`, `@c.us`); a number without `+` is
 * national in default_country (a trunk 0 dropped) unless, for Brazil, it already carries 55 as
 * Meta's wa_id and Z-API's phone do. Brazilian numbers: a two-digit area code without zeros, then
 * nine digits starting 9 (mobile) or eight digits — starting 6-9 an old mobile that gains its 9,
 * starting 2-5 a landline that stays. Raises invalid_phone (22023) for anything else: letters,
 * groups (`@g.us`), too short or too long.
 */
create or replace function private.normalize_phone(raw text, default_country text default 'BR')
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  cleaned text := pg_catalog.regexp_replace(btrim(coalesce(raw, '')), '@(s\.whatsapp\.net|c\.us)$', '', 'i');
  digits text := pg_catalog.regexp_replace(cleaned, '[^0-9]', '', 'g');
  country text := upper(coalesce(nullif(btrim(default_country), ''), 'BR'));
  calling_code text := private.country_calling_code(country);
  area_and_subscriber text;
  subscriber text;
begin
  if cleaned !~ '^\+?[0-9 ().-]+$' or digits = '' or calling_code is null then
    raise exception using errcode = '22023', constraint = 'invalid_phone', column = 'phone',
      message = 'this is not a phone number: write it with its area code, like +55 11 98765-4321',
      detail = pg_catalog.jsonb_build_object('field', 'phone')::text;
  end if;
  if left(cleaned, 1) <> '+' then
    if country = 'BR' then
      digits := pg_catalog.regexp_replace(digits, '^0', '');
      if char_length(digits) in (10, 11) then
        digits := '55' || digits;
      end if;
    elsif calling_code = '1' then
      if char_length(digits) = 10 then
        digits := '1' || digits;
      end if;
    elsif left(digits, 1) = '0' then
      digits := calling_code || substr(digits, 2);
    elsif left(digits, char_length(calling_code)) <> calling_code then
      digits := calling_code || digits;
    end if;
  end if;
  if digits ~ '^55' then
    area_and_subscriber := substr(digits, 3);
    subscriber := substr(area_and_subscriber, 3);
    if area_and_subscriber !~ '^[1-9]{2}' then
      digits := '';
    elsif char_length(subscriber) = 9 and left(subscriber, 1) = '9' then
      null;
    elsif char_length(subscriber) = 8 and left(subscriber, 1) between '6' and '9' then
      digits := '55' || left(area_and_subscriber, 2) || '9' || subscriber;
    elsif not (char_length(subscriber) = 8 and left(subscriber, 1) between '2' and '5') then
      digits := '';
    end if;
  end if;
  if digits !~ '^[1-9][0-9]{7,14}$' then
    raise exception using errcode = '22023', constraint = 'invalid_phone', column = 'phone',
      message = 'this is not a phone number: write it with its area code, like +55 11 98765-4321',
      detail = pg_catalog.jsonb_build_object('field', 'phone')::text;
  end if;
  return '+' || digits;
end;
$$;
comment on function private.normalize_phone(text, text) is
  'E.164 for a phone as typed or as a provider sends it (Brazilian mobiles with the ninth digit); '
  'raises invalid_phone (22023) when it is not one.';

-- Trigger: the phone column named in TG_ARGV[0] is kept normalised, whoever writes it.
-- Security definer with a reason: people writing a contact hold no usage on the private schema.
create or replace function private.normalize_phone_column()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  written text := pg_catalog.to_jsonb(new) ->> tg_argv[0];
begin
  if written is not null then
    new := pg_catalog.jsonb_populate_record(new, pg_catalog.jsonb_build_object(tg_argv[0], private.normalize_phone(written)));
  end if;
  return new;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- (contacts' trigger is in the contact rules: that table comes later.)
create trigger inboxes_normalize_phone before insert or update of phone_number on public.inboxes
  for each row execute function private.normalize_phone_column('phone_number');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function private.country_calling_code(text) to authenticated, service_role;
grant execute on function private.normalize_phone(text, text) to authenticated, service_role;
