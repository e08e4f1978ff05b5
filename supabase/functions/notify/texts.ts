/**
 * The words of each notification, in the recipient's language (their profile's locale). Short
 * enough for one SMS segment where possible; the e-mail gets the same text and a subject.
 */
export type NotificationEvent = "handoff_requested" | "dead_letter" | "budget_80" | "approval_requested";

type Texts = Record<NotificationEvent, (payload: Record<string, unknown>, company: string) => { subject: string; body: string }>;

const text = (value: unknown, fallback: string) => (typeof value === "string" && value.trim() ? value.trim().slice(0, 80) : fallback);
// When the wait times out, in UTC (the recipient's zone is not known here); nothing when it never does.
const until = (value: unknown, locale: string, joiner: string) => {
  const due = typeof value === "string" ? new Date(value) : null;
  if (!due || Number.isNaN(due.getTime())) return "";
  return joiner + new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone: "UTC" }).format(due) + " UTC";
};
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
};

export function notificationText(event: NotificationEvent, locale: string, payload: Record<string, unknown>, company: string) {
  return (locale === "en" ? en : ptBR)[event](payload ?? {}, company);
}
