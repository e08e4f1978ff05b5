-- contact tags: short labels people put on contacts ("cliente-vip", "feira-2026") to pick whom a
-- project's interviews go to (public.launch_project selects by tag). Kept trimmed, lower-case and
-- without repeats, so a tag matches however it was typed; at most 20 tags of 1 to 40 characters.
--
-- Who may do what:
--   owner, admin, member   set tags, through the same grants and policies as name and e-mail
--   analyst                reads them
--
-- Who writes each table:
--   contacts.tags   people with handle_conversations, through the API or direct

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Every tag is 1 to 40 characters once trimmed (the check runs after normalize_contact_tags).
create or replace function private.are_contact_tags(tags text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select not exists (select from unnest(tags) t where char_length(t) not between 1 and 40 or t <> lower(btrim(t)));
$$;
comment on function private.are_contact_tags(text[]) is
  'True when every tag is 1-40 characters, trimmed and lower-case (the form normalize_contact_tags leaves).';

-- Tags are matched as typed lower-case and trimmed: kept that way, once each, in the order given;
-- blank ones are dropped.
create or replace function private.normalize_contact_tags()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.tags := coalesce((
    select array_agg(t.tag order by t.first_position)
    from (select lower(btrim(raw.tag)) as tag, min(raw.position) as first_position
          from unnest(new.tags) with ordinality as raw (tag, position)
          where raw.tag is not null and btrim(raw.tag) <> ''
          group by lower(btrim(raw.tag))) t), '{}');
  return new;
end;
$$;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
alter table public.contacts add column tags text[] not null default '{}'
  constraint contacts_tags_bounds check (
    cardinality(tags) <= 20 and array_position(tags, null) is null and private.are_contact_tags(tags));

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index contacts_tags_idx on public.contacts using gin (tags);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger contacts_normalize_tags before insert or update of tags on public.contacts
  for each row execute function private.normalize_contact_tags();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant insert (tags) on public.contacts to authenticated;
grant update (tags) on public.contacts to authenticated;
grant execute on function private.are_contact_tags(text[]) to authenticated, service_role;
