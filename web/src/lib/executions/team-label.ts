// Which team a run belongs to, as a person reads it. A run outlives its team (the run history is
// the company's record of work and spend): once the team is deleted the run keeps the name the team
// had when it started, marked "team deleted".
import type { Translate } from "$lib/i18n/api-messages";

/** The team's name for a run, "(team deleted)" when the team no longer exists. */
export function runTeamLabel(run: { team_id: string | null; team_name: string }, t: Translate): string {
  const name = run.team_name || t("dashboard.unnamedTeam");
  return run.team_id === null ? t("executions.teamDeleted", { values: { team: name } }) : name;
}
