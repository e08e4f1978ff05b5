-- Platform bootstrap 070: the `supabase_realtime` publication, empty, as Supabase creates it
-- (supabase/postgres init-scripts/00000000000000-initial-schema.sql). Projects add tables with
-- `alter publication supabase_realtime add table ...`; it is never recreated, so those stay.

do $publication$
begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$publication$;
