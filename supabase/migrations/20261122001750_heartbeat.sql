-- The database's heartbeat: one pg_cron job in place of three minute-long watchdogs.
--
-- private.watch_executions (000710), private.watch_outbound_deliveries (001610) and
-- private.watch_conversation_turns (001710) each held a pg_cron job slot for the whole minute, and
-- their `@reboot` twins three more at start. Debian's pg_cron 1.4 runs at most 5 jobs at once when
-- it uses background workers, and starts a queued job only when its scheduler next wakes (a job
-- ending, or the next minute): with the minute jobs (webhook drain, notifications, ingest,
-- interviews, analytics) the watchdogs queued behind each other, and a dead worker's lease could
-- wait more than a minute to be reaped. Hosted Supabase recommends no more than 8 concurrent jobs.
-- So one procedure now runs every pass, and a pass that fails (a deadlock under load, say) is
-- logged and retried at the next beat instead of ending the loop until the next minute.
--
-- Who may do what: only its owner may call private.heartbeat (pg_cron runs it as postgres).

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Beats every `every_seconds` for `for_seconds`: at each beat, the turns that are due start
 * (private.start_due_turns; a debounce is counted in seconds, so half a second matters), and every
 * other beat the engine and outbound rescues run (reap expired leases, wake a worker if work waits
 * and none took it). Each pass commits on its own, so each sees a fresh now() and its pg_net kicks
 * go out at once. A procedure for its COMMITs, hence security invoker with no SET clause (Postgres
 * forbids transaction control otherwise): it calls only schema-qualified names.
 */
create or replace procedure private.heartbeat(for_seconds integer default 58, every_seconds numeric default 0.5)
language plpgsql
as $$
declare
  beat_until timestamptz := pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => for_seconds);
  beat integer := 0;
begin
  loop
    begin
      perform private.start_due_turns(pg_catalog.clock_timestamp());
    exception when others then
      raise warning 'heartbeat: starting due turns failed: % (%)', sqlerrm, sqlstate;
    end;
    commit;
    if beat % 2 = 0 then
      begin
        perform private.rescue_stalled_runs();
      exception when others then
        raise warning 'heartbeat: rescuing runs failed: % (%)', sqlerrm, sqlstate;
      end;
      commit;
      begin
        perform private.rescue_outbound_deliveries();
      exception when others then
        raise warning 'heartbeat: rescuing deliveries failed: % (%)', sqlerrm, sqlstate;
      end;
      commit;
    end if;
    beat := beat + 1;
    exit when pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => every_seconds) > beat_until;
    perform pg_catalog.pg_sleep(every_seconds);
  end loop;
end;
$$;

-- ─── the old watchdogs ────────────────────────────────────────────────────────────────────────
select cron.unschedule(j.jobname) from cron.job j
where j.jobname in ('renum-watch-executions', 'renum-watch-executions-at-start',
                    'renum-watch-outbound', 'renum-watch-outbound-at-start',
                    'renum-watch-conversation-turns', 'renum-watch-conversation-turns-at-start');
drop procedure private.watch_executions(integer, numeric);
drop procedure private.watch_outbound_deliveries(integer, numeric);
drop procedure private.watch_conversation_turns(integer, numeric);

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on procedure private.heartbeat(integer, numeric) from public;

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
-- Every minute, beating for the whole minute, and once as soon as the database starts (else the
-- first beat would wait for the next minute).
select cron.schedule('renum-heartbeat', '* * * * *', 'call private.heartbeat()');
select cron.schedule('renum-heartbeat-at-start', '@reboot', 'call private.heartbeat()');
