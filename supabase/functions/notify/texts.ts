/**
 * The words of each notification, in the recipient's language (their profile's locale). Short
 * enough for one SMS segment where possible; the e-mail gets the same text and a subject.
 */
export type NotificationEvent = "handoff_requested" | "dead_letter" | "budget_80" | "approval_requested" | "project_finished";

type Texts = Record<NotificationEvent, (payload: Record<string, unknown>, company: string) => { subject: string; body: string }>;

const text = (value: unknown, fallback: string) => (typeof value === "string" && value.trim() ? value.trim().slice(0, 80) : fallback);
// When the wait times out, in UTC (the recipient's zone is not known here); nothing when it never does.
const until = (value: unknown, locale: string, joiner: string) => {
  const due = typeof value === "string" ? new Date(value) : null;
  if (!due || Number.isNaN(due.getTime())) return "";
  return joiner + new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone: "UTC" }).format(due) + " UTC";
};
const count = (value: unknown) => (Number.isInteger(value) ? String(value) : "?");
// Portuguese agrees the word with the number: "1 concluída", "2 concluídas".
const counted = (value: unknown, one: string, many: string) => `${count(value)} ${value === 1 ? one : many}`;
const percent = (value: unknown) => (typeof value === "number" || typeof value === "string" ? `${Math.round(Number(value) * 100)} %` : "80 %");

const ptBR: Texts = {
  handoff_requested: (p, company) => ({
    subject: `${company}: uma conversa precisa de uma pessoa`,
    body: `Renum (${company}): ${text(p.contact_name, "um contato")} precisa de atendimento humano. Abra a caixa de entrada para responder.`,
  }),
  dead_letter: (_p, company) => ({
    subject: `${company}: uma resposta não foi entregue`,
    body: `Renum (${company}): uma resposta no WhatsApp falhou após todas as tentativas. Veja as mensagens com falha para reenviar ou descartar.`,
  }),
  budget_80: (p, company) => ({
    subject: `${company}: ${percent(p.share)} do orçamento do mês`,
    body: `Renum (${company}): o consumo do mês chegou a ${percent(p.share)} do orçamento (US$ ${text(String(p.spent_usd ?? ""), "?")} de US$ ${
      text(String(p.monthly_budget_usd ?? ""), "?")
    }).`,
  }),
  approval_requested: (p, company) => ({
    subject: `${company}: ${text(p.agent_name, "um agente")} aguarda sua aprovação`,
    body: `Renum (${company}): a saída de ${text(p.agent_name, "um agente")} na equipe ${text(p.team_name, "?")} aguarda aprovação${
      until(p.approval_due_at, "pt-BR", " até ")
    }. Abra a execução para aprovar, editar ou rejeitar.`,
  }),
  project_finished: (p, company) => ({
    subject: `${company}: o projeto ${text(p.project_name, "?")} terminou`,
    body: `Renum (${company}): ${
      p.interviews === 1 ? "a entrevista" : `as ${count(p.interviews)} entrevistas`
    } do projeto ${text(p.project_name, "?")} ${p.interviews === 1 ? "terminou" : "terminaram"} — ${
      [counted(p.completed, "concluída", "concluídas"), counted(p.expired, "expirada", "expiradas"), counted(p.cancelled, "cancelada", "canceladas")]
        .join(", ")
    }. Veja o relatório em Projetos.`,
  }),
};

const en: Texts = {
  handoff_requested: (p, company) => ({
    subject: `${company}: a conversation needs a person`,
    body: `Renum (${company}): ${text(p.contact_name, "a contact")} needs a person. Open the inbox to answer.`,
  }),
  dead_letter: (_p, company) => ({
    subject: `${company}: a reply was not delivered`,
    body: `Renum (${company}): a WhatsApp reply failed after every retry. See the failed messages to retry or discard it.`,
  }),
  budget_80: (p, company) => ({
    subject: `${company}: ${percent(p.share)} of this month's budget`,
    body: `Renum (${company}): this month's spend reached ${percent(p.share)} of the budget (US$ ${text(String(p.spent_usd ?? ""), "?")} of US$ ${
      text(String(p.monthly_budget_usd ?? ""), "?")
    }).`,
  }),
  approval_requested: (p, company) => ({
    subject: `${company}: ${text(p.agent_name, "an agent")} is waiting for your approval`,
    body: `Renum (${company}): the output of ${text(p.agent_name, "an agent")} in team ${text(p.team_name, "?")} is waiting for approval${
      until(p.approval_due_at, "en", " until ")
    }. Open the run to approve, edit or reject it.`,
  }),
  project_finished: (p, company) => ({
    subject: `${company}: project ${text(p.project_name, "?")} has finished`,
    body: `Renum (${company}): ${
      p.interviews === 1 ? "the interview" : `all ${count(p.interviews)} interviews`
    } of project ${text(p.project_name, "?")} ${p.interviews === 1 ? "has" : "have"} ended — ${count(p.completed)} completed, ${
      count(p.expired)
    } expired, ${count(p.cancelled)} cancelled. See the report in Projects.`,
  }),
};

export function notificationText(event: NotificationEvent, locale: string, payload: Record<string, unknown>, company: string) {
  return (locale === "en" ? en : ptBR)[event](payload ?? {}, company);
}
