// The words of the notices added for approvals (#18) and finished projects (#17), in both languages:
// what the payload says reaches the text, and a missing or odd value never breaks it.
import { describe, expect, it } from "vitest";
import { notificationText } from "./texts.ts";

describe("notificationText", () => {
  it("tells an approver which agent, in which team, and until when, in the recipient's language", () => {
    const payload = { agent_name: "Redator", team_name: "Conteúdo", approval_due_at: "2026-12-06T15:30:00Z" };
    const pt = notificationText("approval_requested", "pt-BR", payload, "Acme");
    expect(pt.subject).toBe("Acme: Redator aguarda sua aprovação");
    expect(pt.body).toBe("Renum (Acme): a saída de Redator na equipe Conteúdo aguarda aprovação até 06/12/2026, 15:30 UTC. Abra a execução para aprovar, editar ou rejeitar.");
    const en = notificationText("approval_requested", "en", { ...payload, approval_due_at: null }, "Acme");
    expect(en.body).toBe("Renum (Acme): the output of Redator in team Conteúdo is waiting for approval. Open the run to approve, edit or reject it.");
  });

  it("tells how a finished project's interviews ended", () => {
    const payload = { project_name: "NPS dezembro", interviews: 20, completed: 17, expired: 2, cancelled: 1 };
    expect(notificationText("project_finished", "pt-BR", payload, "Acme")).toEqual({
      subject: "Acme: o projeto NPS dezembro terminou",
      body: "Renum (Acme): as 20 entrevistas do projeto NPS dezembro terminaram — 17 concluídas, 2 expiradas, 1 cancelada. Veja o relatório em Projetos.",
    });
    expect(notificationText("project_finished", "pt-BR", { project_name: "Piloto", interviews: 1, completed: 1, expired: 0, cancelled: 0 }, "Acme").body)
      .toBe("Renum (Acme): a entrevista do projeto Piloto terminou — 1 concluída, 0 expiradas, 0 canceladas. Veja o relatório em Projetos.");
    expect(notificationText("project_finished", "en", { project_name: "  ", interviews: "x" }, "Acme").body).toBe(
      "Renum (Acme): all ? interviews of project ? have ended — ? completed, ? expired, ? cancelled. See the report in Projects.",
    );
  });
});
