/**
 * The words of the PDF exports (the project report, a run) in the reader's language, pt-BR or en —
 * the same words the web app shows for the same things (web/src/lib/i18n/messages/projects.* and
 * executions.*) — and dates, numbers and money as each language writes them (Intl). The reader's
 * language is `?locale=` when given (the web app passes the page's), else their profile's.
 * Dates are written in UTC and say so: the server knows no reader's time zone.
 */
import { z } from "zod";
import type { TransactionSql } from "../../_shared/user-transaction.ts";

export const pdfLocale = z.enum(["pt-BR", "en"], { error: "Must be pt-BR or en." });
export type PdfLocale = z.infer<typeof pdfLocale>;

/** `?locale=pt-BR|en` of the PDF exports; nothing else. */
export const pdfExportQuery = z.strictObject({ locale: pdfLocale.optional() });

/** The caller's own language (public.profiles.locale), pt-BR when they have no profile row. */
export async function profileLocale(tx: TransactionSql): Promise<PdfLocale> {
  const [row] = await tx<{ locale: PdfLocale }[]>`select p.locale from public.profiles p where p.id = (select auth.uid())`;
  return row?.locale ?? "pt-BR";
}

const words = {
  "pt-BR": {
    generated: (when: string) => `Gerado em ${when}`,
    page: (page: number, pages: number) => `Página ${page} de ${pages}`,
    projectReport: "Relatório do projeto",
    projectStatuses: { draft: "Rascunho", active: "Ativo", paused: "Pausado", completed: "Concluído" } as Record<string, string>,
    projectTypes: { survey: "Pesquisa", campaign: "Campanha", support: "Atendimento" } as Record<string, string>,
    project: "Projeto",
    status: "Situação",
    type: "Tipo",
    interviews: "Entrevistas",
    completionRate: "Taxa de conclusão",
    completionHint: "Concluídas sobre as não canceladas.",
    perStatus: "Entrevistas por situação",
    interviewStatuses: {
      pending: "Aguardando envio", invited: "Convidado", in_progress: "Em andamento", completed: "Concluída", cancelled: "Cancelada", expired: "Expirada",
    } as Record<string, string>,
    questions: "Perguntas",
    answerTypes: {
      free_text: "Texto livre", number: "Número", yes_no: "Sim ou não", one_of: "Uma das opções", date: "Data", scale_1_5: "Escala de 1 a 5",
    } as Record<string, string>,
    answered: (count: number) => (count === 0 ? "nenhuma resposta" : count === 1 ? "1 resposta" : `${count} respostas`),
    average: (average: string, min: string, max: string) => `Média ${average} · mín. ${min} · máx. ${max}`,
    noAnswers: "Ainda sem respostas.",
    topWords: "Palavras mais frequentes nas respostas",
    noWords: "Ainda sem palavras para mostrar.",
    dates: "Respostas com data: leia-as nas entrevistas ou no CSV.",
    yes: "Sim",
    no: "Não",
    run: (team: string) => `Execução de ${team}`,
    teamDeleted: (team: string) => `${team} (equipe excluída)`,
    unnamedTeam: "Equipe sem nome",
    runStatuses: {
      pending: "Na fila", running: "Em andamento", waiting_approval: "Aguardando aprovação", completed: "Concluída", failed: "Falhou", cancelled: "Cancelada",
    } as Record<string, string>,
    stepStatuses: {
      pending: "Aguardando", ready: "Pronto", running: "Trabalhando", waiting_approval: "Aguardando aprovação", succeeded: "Concluído",
      failed: "Falhou", skipped: "Pulado", cancelled: "Cancelado",
    } as Record<string, string>,
    created: "Criada",
    finished: "Concluída em",
    totalCost: "Custo total",
    tokens: "Tokens usados",
    error: "Erro",
    prompt: "Pedido inicial",
    variables: "Variáveis",
    result: "Resultado",
    noResult: "Sem resultado final.",
    agents: "Agentes",
    agentFigures: (input: string, output: string, cost: string, time: string) =>
      `Tokens: ${input} de entrada, ${output} de saída · Custo: ${cost} · Tempo: ${time}`,
    skipped: "Motivo",
  },
  en: {
    generated: (when: string) => `Generated on ${when}`,
    page: (page: number, pages: number) => `Page ${page} of ${pages}`,
    projectReport: "Project report",
    projectStatuses: { draft: "Draft", active: "Active", paused: "Paused", completed: "Completed" } as Record<string, string>,
    projectTypes: { survey: "Survey", campaign: "Campaign", support: "Support" } as Record<string, string>,
    project: "Project",
    status: "Status",
    type: "Type",
    interviews: "Interviews",
    completionRate: "Completion rate",
    completionHint: "Completed out of those not cancelled.",
    perStatus: "Interviews by status",
    interviewStatuses: {
      pending: "Waiting to send", invited: "Invited", in_progress: "In progress", completed: "Completed", cancelled: "Cancelled", expired: "Expired",
    } as Record<string, string>,
    questions: "Questions",
    answerTypes: {
      free_text: "Free text", number: "Number", yes_no: "Yes or no", one_of: "One of the options", date: "Date", scale_1_5: "Scale of 1 to 5",
    } as Record<string, string>,
    answered: (count: number) => (count === 0 ? "no answers" : count === 1 ? "1 answer" : `${count} answers`),
    average: (average: string, min: string, max: string) => `Average ${average} · min ${min} · max ${max}`,
    noAnswers: "No answers yet.",
    topWords: "Most frequent words in the answers",
    noWords: "No words to show yet.",
    dates: "Answers with dates: read them in the interviews or the CSV.",
    yes: "Yes",
    no: "No",
    run: (team: string) => `Run of ${team}`,
    teamDeleted: (team: string) => `${team} (team deleted)`,
    unnamedTeam: "Unnamed team",
    runStatuses: {
      pending: "Queued", running: "Running", waiting_approval: "Waiting for approval", completed: "Completed", failed: "Failed", cancelled: "Cancelled",
    } as Record<string, string>,
    stepStatuses: {
      pending: "Waiting", ready: "Ready", running: "Working", waiting_approval: "Waiting for approval", succeeded: "Done",
      failed: "Failed", skipped: "Skipped", cancelled: "Cancelled",
    } as Record<string, string>,
    created: "Created",
    finished: "Finished",
    totalCost: "Total cost",
    tokens: "Tokens used",
    error: "Error",
    prompt: "Initial prompt",
    variables: "Variables",
    result: "Result",
    noResult: "No final result.",
    agents: "Agents",
    agentFigures: (input: string, output: string, cost: string, time: string) => `Tokens: ${input} in, ${output} out · Cost: ${cost} · Time: ${time}`,
    skipped: "Reason",
  },
};

export type PdfWords = (typeof words)["en"];

export function pdfWords(locale: PdfLocale): PdfWords {
  return words[locale];
}

export function formatDateTime(value: string | Date, locale: PdfLocale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(value)) + " UTC";
}

export function formatNumber(value: number, locale: PdfLocale, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(locale, options).format(value);
}

export function formatPercent(value: number | null, locale: PdfLocale): string {
  return value === null ? "—" : new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(value);
}

/** A cost in US dollars at the web app's precision (web/src/lib/i18n/format.ts, formatCost). */
export function formatCost(amountUsd: number, locale: PdfLocale): string {
  const magnitude = Math.abs(amountUsd);
  if (magnitude !== 0 && magnitude < 0.00005) {
    return new Intl.NumberFormat(locale, { style: "currency", currency: "USD", maximumSignificantDigits: 2 }).format(amountUsd);
  }
  const digits = magnitude < 1 ? 4 : 2;
  return new Intl.NumberFormat(locale, { style: "currency", currency: "USD", minimumFractionDigits: digits, maximumFractionDigits: digits })
    .format(amountUsd);
}

/** A step's time as "1,2 s" or "2 min 5 s". */
export function formatDuration(milliseconds: number, locale: PdfLocale): string {
  if (milliseconds < 60_000) return `${formatNumber(milliseconds / 1000, locale, { maximumFractionDigits: 1 })} s`;
  const seconds = Math.round(milliseconds / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
