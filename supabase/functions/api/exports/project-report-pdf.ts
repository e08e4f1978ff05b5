/**
 * GET /projects/:id/report.pdf: public.project_report as a document (#17) — the project, its
 * interviews by status and completion rate, then each question: how many answered, bars of the
 * counts per option (yes/no, 1-5, the options in the script's order, then any other value
 * recorded), average/min/max for numbers, the most frequent words of free-text answers.
 */
import { type PdfBar, PdfReport } from "../../_shared/pdf.ts";
import type { Project, ProjectReport } from "../../_shared/schemas/projects.ts";
import { formatDateTime, formatNumber, formatPercent, type PdfLocale, pdfWords } from "./pdf-words.ts";

export interface ProjectReportDocument {
  companyName: string;
  project: Pick<Project, "name" | "status" | "type" | "questions"> & { description?: string | null };
  report: ProjectReport;
  locale: PdfLocale;
  generatedAt: Date;
}

export async function projectReportPdf({ companyName, project, report, locale, generatedAt }: ProjectReportDocument): Promise<Uint8Array> {
  const w = pdfWords(locale);
  const number = (value: number) => formatNumber(value, locale);
  const decimal = (value: number | null | undefined) => (value === null || value === undefined ? "—" : formatNumber(value, locale, { maximumFractionDigits: 2 }));
  const pdf = await PdfReport.create({
    title: `${w.projectReport}: ${project.name}`,
    owner: `${companyName} · ${project.name}`,
    generated: w.generated(formatDateTime(generatedAt, locale)),
    pageLabel: w.page,
    createdAt: generatedAt,
  });

  pdf.heading(project.name);
  if (project.description) pdf.paragraph(project.description, { muted: true });
  pdf.facts([
    [w.type, w.projectTypes[project.type] ?? project.type],
    [w.status, w.projectStatuses[project.status] ?? project.status],
    [w.interviews, number(report.interviews.total)],
    [w.completionRate, formatPercent(report.completion_rate, locale)],
  ]);
  pdf.paragraph(w.completionHint, { muted: true, size: 8.5 });

  pdf.heading(w.perStatus, 2);
  const statuses = ["pending", "invited", "in_progress", "completed", "cancelled", "expired"] as const;
  pdf.bars(statuses.map((status) => ({ label: w.interviewStatuses[status], value: report.interviews[status], shown: number(report.interviews[status]) })));

  pdf.heading(w.questions);
  const optionsOf = new Map<string, readonly string[]>(
    project.questions.map((question) => [question.id, Array.isArray(question.options) ? question.options.map(String) : []]),
  );
  report.questions.forEach((question, index) => {
    if (index > 0) pdf.rule();
    pdf.heading(`${index + 1}. ${question.text}`, 2);
    pdf.paragraph(`${w.answerTypes[question.answer_type] ?? question.answer_type} · ${w.answered(question.answered)}`, { muted: true, size: 9 });
    if (question.distribution) {
      pdf.bars(distributionBars(question.answer_type, question.distribution, optionsOf.get(question.id) ?? [], w).map((bar) => ({
        ...bar,
        shown: number(bar.value),
      })));
    }
    if (question.answer_type === "number" || question.answer_type === "scale_1_5") {
      pdf.paragraph(question.answered === 0 ? w.noAnswers : w.average(decimal(question.average), decimal(question.min), decimal(question.max)));
    }
    if (question.answer_type === "free_text") {
      if (question.words?.length) {
        pdf.paragraph(w.topWords, { muted: true, size: 9 });
        pdf.bars(question.words.map(({ word, count }) => ({ label: word, value: count, shown: number(count) })));
      } else {
        pdf.paragraph(w.noWords);
      }
    }
    if (question.answer_type === "date") pdf.paragraph(w.dates);
  });
  return await pdf.bytes();
}

/** The bars of a question's counts, as the project page draws them (web/src/lib/projects.ts distributionBars). */
function distributionBars(
  answerType: string,
  distribution: Record<string, number>,
  options: readonly string[],
  w: { yes: string; no: string },
): PdfBar[] {
  let keys: { key: string; label: string }[];
  if (answerType === "yes_no") keys = [{ key: "true", label: w.yes }, { key: "false", label: w.no }];
  else if (answerType === "scale_1_5") keys = ["1", "2", "3", "4", "5"].map((key) => ({ key, label: key }));
  else keys = options.map((option) => ({ key: option, label: option }));
  const known = new Set(keys.map(({ key }) => key));
  const extra = Object.keys(distribution).filter((key) => !known.has(key)).map((key) => ({ key, label: key }));
  return [...keys, ...extra].map(({ key, label }) => ({ label, value: distribution[key] ?? 0 }));
}
