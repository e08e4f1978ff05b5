// The runs a person started in this tab, watched while the app is open so that the end of one
// (completed or failed) can be told wherever they are. The list lives in sessionStorage: it is this
// browser tab's session, it survives a reload, and it is gone with the tab. Each run is followed on
// its Realtime channel (shared with its monitor, see ./execution-channel); the run's status is read
// when the channel is joined (again) and when it broadcasts a finish, so a finish that no broadcast
// brought (the network was down, the page was reloading) is still noticed.
import type { RealtimeLoader } from "$lib/realtime/client";
import type { ExecutionStatus } from "$schemas/executions.ts";
import { listenToExecution } from "./execution-channel";
import { finishedStatuses } from "./monitor-state";

const storageKey = "renum-started-runs";

export interface FinishedRun {
  id: string;
  teamName: string;
  status: ExecutionStatus;
}

export interface BackgroundRunsOptions {
  realtime: RealtimeLoader;
  /** Where the run stands, or null when that cannot be read now (it is read again later). */
  readStatus: (id: string) => Promise<{ status: ExecutionStatus; team_name: string } | null>;
  /** A run of the list finished (completed, failed or cancelled); it has left the list. */
  onFinished: (run: FinishedRun) => void;
  storage?: Storage;
}

export interface BackgroundRuns {
  /** Adds a run this tab started. */
  add(id: string): void;
  stop(): void;
}

function readIds(storage: Storage): string[] {
  try {
    const ids: unknown = JSON.parse(storage.getItem(storageKey) ?? "[]");
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

function writeIds(storage: Storage, ids: string[]): void {
  if (ids.length === 0) storage.removeItem(storageKey);
  else storage.setItem(storageKey, JSON.stringify(ids));
}

/** Watches the runs of the list (and any added) until stopped. */
export function watchBackgroundRuns(options: BackgroundRunsOptions): BackgroundRuns {
  const storage = options.storage ?? sessionStorage;
  const watching = new Map<string, () => void>();
  let stopped = false;

  async function check(id: string): Promise<void> {
    const current = await options.readStatus(id).catch(() => null);
    if (stopped || !current || !watching.has(id) || !finishedStatuses.includes(current.status)) return;
    watching.get(id)?.();
    watching.delete(id);
    writeIds(storage, readIds(storage).filter((known) => known !== id));
    options.onFinished({ id, teamName: current.team_name, status: current.status });
  }

  function watch(id: string): void {
    if (watching.has(id)) return;
    watching.set(
      id,
      listenToExecution(options.realtime, id, {
        onBroadcast(name, payload) {
          if (name === "status_update" && finishedStatuses.includes(payload.status as ExecutionStatus)) void check(id);
        },
        onStatus(status) {
          if (status === "SUBSCRIBED") void check(id);
        },
      }),
    );
  }

  for (const id of readIds(storage)) watch(id);

  return {
    add(id) {
      if (stopped) return;
      const ids = readIds(storage);
      if (!ids.includes(id)) writeIds(storage, [...ids, id]);
      watch(id);
    },
    stop() {
      stopped = true;
      for (const stopListening of watching.values()) stopListening();
      watching.clear();
    },
  };
}
