-- A message's metadata and media are checked when they are written, not at each of its updates.
--
-- Postgres evaluates every CHECK constraint of a row on every UPDATE of it, whatever the columns
-- changed. A reply's row is written once and then updated as it leaves (the part recorded, the
-- delivery settled, each status Meta posts), while its metadata and media are written once.
-- `messages_metadata_bounded` and `messages_media_bounded` measured them each time: profiling
-- outbound-throughput.ts (3,000 replies, pg_stat_user_functions with track_functions = all)
-- counted 17,652 calls of private.jsonb_within_bounds, ~1.3 s, close to a tenth of the database's
-- CPU for the delivery.
--
-- The same two rules now run in a BEFORE INSERT OR UPDATE OF metadata, media trigger on the
-- partitioned table (each month's partition, present and future, carries it), which answers as
-- the constraints did: SQLSTATE 23514 (check_violation), the constraint's name (the API's error
-- codes read it) and Postgres's wording with the partition's name, media before metadata as the
-- constraints were checked in name order. Only the service role and security-definer functions
-- write messages (people only read them), and both may call the check in `private`. Dropping a
-- CHECK and creating a trigger take no scan of the table, however large.
--
-- With the two CHECKs gone, nothing calls private.jsonb_within_bounds, whose body has been
-- private.jsonb_is_bounded's since 20261122009900 (a CHECK cannot be re-pointed at another function
-- without a scan of every partition, so both stayed): the trigger asks jsonb_is_bounded, as every
-- other jsonb limit does, and the copy is dropped.

create or replace function private.check_message_bounds()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  broken text;
begin
  if not private.jsonb_is_bounded(new.media, 4, 8192) then
    broken := 'messages_media_bounded';
  elsif not private.jsonb_is_bounded(new.metadata, 8, 65536) then
    broken := 'messages_metadata_bounded';
  else
    return new;
  end if;
  raise exception using
    errcode = 'check_violation', constraint = broken, schema = tg_table_schema, table = tg_table_name,
    message = pg_catalog.format('new row for relation "%s" violates check constraint "%s"', tg_table_name, broken);
end;
$$;
comment on function private.check_message_bounds() is
  'A message''s metadata within 8 levels and 64 KiB, its media within 4 levels and 8 KiB: checked when written (the former CHECKs ran at every update of the message).';

alter table public.messages
  drop constraint messages_metadata_bounded,
  drop constraint messages_media_bounded;

drop function private.jsonb_within_bounds(jsonb, integer, integer);

create trigger messages_bounds_checked
  before insert or update of metadata, media on public.messages
  for each row execute function private.check_message_bounds();
