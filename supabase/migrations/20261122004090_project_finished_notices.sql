-- project finished notices (#17): when every interview of a launched project has ended (completed,
-- expired or cancelled), the company's people hear it once through the notification fallback
-- (`project_finished`, 20261122001970: owners and admins by default, WhatsApp → SMS → e-mail),
-- with the project's name and how its interviews ended. Interviews launched later and ended again
-- make a new notice.
--
-- A minute sweep (pg_cron `renum-notice-finished-projects`) finds such projects, not a trigger on
-- interviews: two last interviews ending in two transactions at once would each still see the
-- other open (no notice), and a trigger locking the project would take locks in the opposite order
-- of a person completing the project (which cancels its open interviews). One sweep at a time
-- sees committed rows only, and records what it noticed.
--
-- Who may do what: only the service role and pg_cron run the sweep.
-- Who writes each table:
--   private.project_finished_notices   private.notice_finished_projects only

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table private.project_finished_notices (
  project_id uuid primary key references public.projects (id) on delete cascade,
  -- The last interview end this notice covered: a later one (a new launch) makes a new notice.
  last_ended_at timestamptz not null,
  noticed_at timestamptz not null default now()
);
alter table private.project_finished_notices enable row level security;
revoke all on private.project_finished_notices from public, anon, authenticated;
comment on table private.project_finished_notices is
  'Each project whose interviews all ended and whose people were told, up to which interview end. Internal.';

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Tells each launched project (active or paused) whose interviews have all ended, and that has not
 * been told since its last interview ended, through private.notify('project_finished', {project_id,
 * project_name, interviews, completed, expired, cancelled}). Returns how many projects it told.
 * Service role and pg_cron only (service_role_only otherwise).
 */
create or replace function private.notice_finished_projects()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  finished record;
  told integer := 0;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role notices finished projects';
  end if;
  for finished in
    select p.id, p.tenant_id, p.name, tally.interviews, tally.completed, tally.expired, tally.cancelled, tally.last_ended_at
    from public.projects p
    cross join lateral (
      select count(*)::int as interviews,
             count(*) filter (where i.status = 'completed')::int as completed,
             count(*) filter (where i.status = 'expired')::int as expired,
             count(*) filter (where i.status = 'cancelled')::int as cancelled,
             count(*) filter (where i.status in ('pending', 'invited', 'in_progress'))::int as open,
             max(coalesce(i.completed_at, i.ended_at)) as last_ended_at
      from public.interviews i where i.project_id = p.id
    ) tally
    left join private.project_finished_notices n on n.project_id = p.id
    where p.status in ('active', 'paused') and tally.interviews > 0 and tally.open = 0
      and tally.last_ended_at is not null and tally.last_ended_at > coalesce(n.last_ended_at, '-infinity')
    order by p.id
  loop
    insert into private.project_finished_notices (project_id, last_ended_at) values (finished.id, finished.last_ended_at)
    on conflict (project_id) do update set last_ended_at = excluded.last_ended_at, noticed_at = now();
    perform private.notify(finished.tenant_id, 'project_finished',
      pg_catalog.jsonb_build_object('project_id', finished.id, 'project_name', finished.name, 'interviews', finished.interviews,
                                    'completed', finished.completed, 'expired', finished.expired, 'cancelled', finished.cancelled));
    told := told + 1;
  end loop;
  return told;
end;
$$;
comment on function private.notice_finished_projects() is
  'Service role and pg_cron: the project_finished notice for each launched project whose interviews all ended.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.notice_finished_projects() from public, anon, authenticated;
grant execute on function private.notice_finished_projects() to service_role;

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-notice-finished-projects', '* * * * *', 'select private.notice_finished_projects()');
