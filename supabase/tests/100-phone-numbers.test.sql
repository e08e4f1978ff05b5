-- Phone numbers: private.normalize_phone answers every case of the shared list
-- supabase/functions/_shared/phone-cases.ts (copied here as a table: keep the two in step), and
-- the phones people and webhooks write to contacts and inboxes are kept normalised.
begin;
set search_path to public, extensions, tests;

select plan(35);

-- raw, default country (BR when null), E.164 expected (null: refused with invalid_phone), why.
create temporary table phone_cases (raw text, default_country text, expected text, why text);
insert into phone_cases values
('+55 11 98765-4321', null, '+5511987654321', 'international, formatted'),
('5511987654321', null, '+5511987654321', 'Meta wa_id / Z-API phone: digits with the country code'),
('5511987654321@s.whatsapp.net', null, '+5511987654321', 'Evolution remoteJid'),
('5511987654321@c.us', null, '+5511987654321', 'whatsapp-web style chat id'),
('(11) 98765-4321', null, '+5511987654321', 'national, as people type it'),
('11987654321', null, '+5511987654321', 'national digits'),
('021 98765-4321', null, '+5521987654321', 'national with the trunk 0'),
('  +55.11.98765.4321  ', null, '+5511987654321', 'dots and surrounding spaces'),
('+55 11 8765-4321', null, '+5511987654321', 'old mobile (8 digits starting 8) gains its 9'),
('551187654321', null, '+5511987654321', 'Meta sends some mobiles without the 9'),
('(21) 7654-3210', null, '+5521976543210', '8 digits starting 7 gains its 9'),
('+55 31 6543-2109', null, '+5531965432109', '8 digits starting 6 gains its 9'),
('558199887766@s.whatsapp.net', null, '+5581999887766', 'Evolution jid without the 9'),
('+55 11 3333-4444', null, '+551133334444', 'São Paulo landline'),
('554133334444', null, '+554133334444', 'landline as a wa_id'),
('(51) 2345-6789', null, '+555123456789', 'landline starting 2'),
('+55 (61) 5432-1098', null, '+556154321098', 'landline starting 5'),
('+1 (415) 555-2671', null, '+14155552671', 'United States'),
('+44 20 7946 0958', null, '+442079460958', 'United Kingdom'),
('+351 912 345 678', null, '+351912345678', 'Portugal mobile'),
('+54 9 11 2345-6789', null, '+5491123456789', 'Argentina: its own mobile 9 is not Brazil''s'),
('(415) 555-2671', 'US', '+14155552671', 'national with another default country'),
('', null, null, 'empty'),
('abc', null, null, 'no digits'),
('123', null, null, 'too short'),
('+55 11 98765-4321 ramal 12', null, null, 'letters (an extension) are not guessed around'),
('+5511987654321999999', null, null, 'too long'),
('+55 11 88765-4321', null, null, 'Brazilian 9-digit subscriber not starting with 9'),
('+55 11 1234-5678', null, null, 'Brazilian 8-digit subscriber starting 1'),
('120363025246125486@g.us', null, null, 'a WhatsApp group is not a phone');

create function pg_temp.normalized(raw text, default_country text) returns text
language plpgsql as $$
begin
  return private.normalize_phone(raw, coalesce(default_country, 'BR'));
exception when others then
  declare code text; begin
    get stacked diagnostics code = constraint_name;
    return 'raised ' || code;
  end;
end;
$$;

select is(pg_temp.normalized(raw, default_country), coalesce(expected, 'raised invalid_phone'), format('%s: %s', why, raw))
from phone_cases order by why;

select is((select count(*)::int from phone_cases), 30, 'the copy holds every case of phone-cases.ts');
select is(tests.raised($$ select private.normalize_phone('nope') $$),
  '{"state": "22023", "code": "invalid_phone", "detail": {"field": "phone"}}'::jsonb, 'a refusal is 22023 invalid_phone naming the field');

-- ─── written phones are normalised ───────────────────────────────────────────────────────────
select tests.create_two_tenants();
select tests.authenticate_as('member_a');
insert into public.contacts (tenant_id, phone, name) values (tests.tenant_id('tenant-a'), '(11) 8765-4321', 'Ana');
select is((select phone from public.contacts where name = 'Ana'), '+5511987654321', 'a contact typed without the ninth digit is kept with it');
select is(tests.error_code(format($$ insert into public.contacts (tenant_id, phone) values (%L, '120363025246125486@g.us') $$, tests.tenant_id('tenant-a'))),
  'invalid_phone', 'a group id is not a contact''s phone');
select tests.authenticate_as('owner_a');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Phone inbox', '11 3333-4444', '{"zapi_instance_id": "phone-inbox"}',
  '{"instance_token": "tok-1234", "client_token": "client-5678"}');
select is((select phone_number from public.inboxes where display_name = 'Phone inbox'), '+551133334444', 'an inbox''s number is kept in E.164');

select * from finish();
rollback;
