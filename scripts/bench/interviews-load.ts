// 1,000 active interviews with replies arriving at once (#17): a project with a 3-question script
// (a 1–5 score, free text, yes/no) on a Meta inbox, answered by a survey team whose demo-provider
// interviewer records the score with the built-in record_interview_answer tool (scripted by the
// message, as tests/e2e/interviews-whatsapp.test.ts does); 1,000 contacts whose interviews are
// invited in their open conversations. Each contact's reply is a signed Meta POST, `--senders`
// (50) at a time; per reply, from the moment the webhook answered 200 (accepted) until the bot's
// answer is the conversation's queued outbound message (the database's created_at against the
// sender's clock, one machine): p50/p95 and replies per second, and per team where the time goes
// (message stored → run created, run created → reply queued).
//
// Baseline, same process, same inbox, same senders: contacts of that inbox with an open
// conversation and no interview, answered by the inbox's own front desk (one demo agent, no tool).
// The webhook, the drain, the run, the executor and the outbound queue are the same in both; what
// the ratio shows is what an interview adds to a turn — finding the open interview and its team,
// the script and answers in the agent's instructions, the tool call and the typed answer written
// (and so a second model call). The health round trip would only isolate the gateway.
//
// Then the aggregate: public.project_report (what /projects/<id> and GET /projects/:id/report
// read) as the company's owner under RLS, over the 1,000 interviews with every question answered,
// against the same script with 10 interviews: p50/p95 of `--reports` (30) calls each.
// As many plain conversations as interviews by default: replies queue behind each other when they
// arrive faster than they are answered, so both sides get the same burst.
//   tsx scripts/bench/interviews-load.ts [--instance work2] [--interviews 1000] [--baseline <interviews>] [--senders 50] [--reports 30]
// (without --instance it purges and starts its own `bench` stack, and stops it at the end.)
import { createWebhookInbox } from "../../tests/fixtures/inboxes.ts";
import { inboundText, type SenderInbox } from "../fakes/whatsapp-sender.ts";
import { line, openBenchStack, option, pause, say, seedAgents, seedCompany, seedTeam, summarize, warmExecutor } from "./engine-bench-support.ts";
import type { Company, Sql } from "./engine-bench-support.ts";
import { postEvent, runSenders } from "./webhook-bench-support.ts";

const interviews = Number(option("--interviews", "1000"));
const plain = Number(option("--baseline", String(interviews)));
const senders = Number(option("--senders", "50"));
const reports = Number(option("--reports", "30"));

const questions = [
  { id: "nota", text: "De 1 a 5, como foi a entrega?", answer_type: "scale_1_5" },
  { id: "comentario", text: "O que podemos melhorar?", answer_type: "free_text" },
  { id: "recomenda", text: "Recomendaria a loja?", answer_type: "yes_no" },
];
const comments = [
  "Entrega rápida, mas a embalagem veio amassada",
  "Ótimo atendimento e preço justo",
  "O produto chegou atrasado e o suporte demorou",
  "Tudo certo, recomendo a loja para os amigos",
  "Poderiam ter mais opções de pagamento no site",
];

const stack = await openBenchStack(8);
const company = await seedCompany(stack.sql, "interviews-load");
const [receptionist, interviewer] = await seedAgents(stack.sql, company, [
  { name: "Receptionist", config: { latency_ms: 0, reply: "Olá! Recebemos: {input}" } },
  { name: "Interviewer", config: { latency_ms: 0, reply: "Obrigado! Próxima pergunta." } },
]);
await stack.sql`update public.agents set tools = '{record_interview_answer}' where id = ${interviewer}`;
const frontDesk = await seedTeam(stack.sql, company, { name: "Front desk", workflow: "sequential", agentIds: [receptionist] });
const surveyTeam = await seedTeam(stack.sql, company, { name: "Survey team", workflow: "sequential", agentIds: [interviewer] });
const inbox = await createWebhookInbox(stack.sql, company.tenantId, "meta_cloud");
await stack.sql`
  insert into public.responder_settings (tenant_id, inbox_id, team_id, debounce_ms) values (${company.tenantId}, ${inbox.inboxId}, ${frontDesk}, 0)`;

/** A project on the inbox with the script, active, and `count` interviews invited in open conversations of new contacts. */
async function seedProject(sql: Sql, owner: Company, name: string, count: number, prefix: number): Promise<{ id: string; phones: string[] }> {
  const [project] = await sql<{ id: string }[]>`
    insert into public.projects (tenant_id, name, inbox_id, responder_team_id, invitation_text, questions, status)
    values (${owner.tenantId}, ${name}, ${inbox.inboxId}, ${surveyTeam}, 'Olá! Pode responder três perguntas?', ${sql.json(questions)}, 'active')
    returning id`;
  const phones = await seedConversations(sql, owner, count, prefix);
  await sql`
    insert into public.interviews (tenant_id, project_id, contact_id, conversation_id, status, invited_at)
    select ${owner.tenantId}, ${project.id}, c.contact_id, c.id, 'invited', now()
    from public.conversations c join public.contacts ct on ct.id = c.contact_id
    where c.inbox_id = ${inbox.inboxId} and ct.phone in ${sql(phones.map((phone) => `+${phone}`))}`;
  return { id: project.id, phones };
}

/** `count` contacts, each with an open conversation in the inbox; their phones as the provider writes them (no +). */
async function seedConversations(sql: Sql, owner: Company, count: number, prefix: number): Promise<string[]> {
  const rows = await sql<{ phone: string }[]>`
    with contacts as (
      insert into public.contacts (tenant_id, phone, name)
      select ${owner.tenantId}, '+55119' || ${String(prefix)} || lpad(n::text, 7, '0'), 'Contato ' || n from generate_series(1, ${count}) n
      returning id, phone),
    conversations as (
      insert into public.conversations (tenant_id, inbox_id, contact_id)
      select ${owner.tenantId}, ${inbox.inboxId}, id from contacts
      returning contact_id)
    select c.phone from contacts c join conversations v on v.contact_id = c.id`;
  return rows.map((row) => row.phone.slice(1));
}

/** Each phone's message, posted `senders` at a time; per phone, when its POST was accepted (epoch ms) and the status. */
async function post(target: SenderInbox, phones: string[], text: (phone: string) => string): Promise<{ phone: string; acceptedAt: number; status: number }[]> {
  const sent: { phone: string; acceptedAt: number; status: number }[] = [];
  await runSenders(senders, (n) => n >= phones.length, async (_, n) => {
    const phone = phones[n];
    const status = await postEvent(stack, target, inboundText(target, { from: phone, name: "Contato", text: text(phone) }));
    sent.push({ phone, acceptedAt: Date.now(), status });
    return status;
  });
  return sent;
}

/** Waits until each phone's conversation has an outbound message; epoch ms of the first one, per phone. */
async function replies(sql: Sql, phones: string[]): Promise<Map<string, number>> {
  const deadline = Date.now() + 600_000;
  const wanted = phones.map((phone) => `+${phone}`);
  for (;;) {
    const rows = await sql<{ phone: string; at: Date }[]>`
      select ct.phone, min(m.created_at) as at from public.messages m join public.contacts ct on ct.id = m.contact_id
      where m.inbox_id = ${inbox.inboxId} and m.direction = 'out' and ct.phone in ${sql(wanted)}
      group by ct.phone`;
    if (rows.length >= phones.length) return new Map(rows.map((row) => [row.phone.slice(1), row.at.getTime()]));
    if (Date.now() > deadline) throw new Error(`${rows.length} of ${phones.length} conversations have a reply after 600 s`);
    await pause(100);
  }
}

/** Posts the replies and waits for the bot's answers: per-reply latencies, replies per second, non-200 answers. */
async function measure(phones: string[], text: (phone: string) => string) {
  const started = Date.now();
  const sent = await post(inbox, phones, text);
  const repliedAt = await replies(stack.sql, phones);
  const last = Math.max(...repliedAt.values());
  return {
    summary: summarize(sent.map((message) => (repliedAt.get(message.phone) ?? Number.NaN) - message.acceptedAt)),
    perSecond: phones.length / ((last - started) / 1000),
    failed: sent.filter((message) => message.status !== 200).length,
  };
}

/** `reports` calls of public.project_report as the owner (RLS on, as people read it), in ms each. */
async function reportTimes(projectId: string): Promise<number[]> {
  const times: number[] = [];
  for (let n = 0; n < reports; n++) {
    await stack.sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: company.ownerId, role: "authenticated" })}, true), set_config('role', 'authenticated', true)`;
      const started = performance.now();
      await tx`select public.project_report(${projectId})`;
      times.push(performance.now() - started);
    });
  }
  return times;
}

const scoreReply = (phone: string) =>
  `${Number(phone.slice(-1)) % 5 + 1}\n@tool record_interview_answer ${JSON.stringify({ question_id: "nota", answer: String(Number(phone.slice(-1)) % 5 + 1) })}`;

try {
  say(`seeding ${interviews} invited interviews, ${plain} plain conversations and 10 warm-up ones`);
  const load = await seedProject(stack.sql, company, "Pós-venda (carga)", interviews, 1);
  const baselinePhones = await seedConversations(stack.sql, company, plain, 2);
  const warmPhones = await seedConversations(stack.sql, company, 10, 3);
  const warmInterviews = await seedProject(stack.sql, company, "Pós-venda (aquecimento)", 10, 4);
  await warmExecutor(stack);
  say("warming up: 10 plain conversations and 10 interviews");
  await measure(warmPhones, (phone) => `Oi ${phone}`);
  await measure(warmInterviews.phones, scoreReply);

  say(`baseline: ${plain} plain conversations answered by the front desk (${senders} senders)`);
  const baseline = await measure(baselinePhones, (phone) => `Quanto custa? ${phone}`);
  say(`interviews: ${interviews} replies to invited interviews answered by the survey team (${senders} senders)`);
  const loaded = await measure(load.phones, scoreReply);

  const [recorded] = await stack.sql<{ answered: number; by_survey_team: number; in_progress: number }[]>`
    select count(*) filter (where i.answers ? 'nota')::int as answered, count(*) filter (where i.status = 'in_progress')::int as in_progress,
           (select count(*)::int from public.executions e where e.team_id = ${surveyTeam}) as by_survey_team
    from public.interviews i where i.project_id = ${load.id}`;

  // Where a reply's time goes, per team (warm-up turns included, 10 of each): waiting for its run
  // (the drain behind the burst) and the run itself until the reply is queued (the database's clock).
  const phases = await stack.sql<{ team: string; phase: string; p50: number; p95: number }[]>`
    with firsts as (
      select distinct on (r.conversation_id) r.conversation_id, r.created_at as replied, r.execution_id
      from public.messages r where r.inbox_id = ${inbox.inboxId} and r.direction = 'out' and r.execution_id is not null
      order by r.conversation_id, r.created_at)
    select t.name as team, v.phase, percentile_cont(0.5) within group (order by v.ms) as p50, percentile_cont(0.95) within group (order by v.ms) as p95
    from firsts f
    join public.executions e on e.id = f.execution_id
    join public.teams t on t.id = e.team_id
    cross join lateral (select min(m.created_at) as asked from public.messages m where m.conversation_id = f.conversation_id and m.direction = 'in') m
    cross join lateral (values ('message stored → run created', extract(epoch from e.created_at - m.asked) * 1000),
                               ('run created → reply queued', extract(epoch from f.replied - e.created_at) * 1000)) v (phase, ms)
    group by t.name, v.phase order by t.name, v.phase desc`;

  // The rest of the script answered as the tool records it, so the report has every kind of question to count.
  say("recording the free-text and yes/no answers of every interview, and a 10-interview project with the same answers");
  await stack.sql`
    update public.interviews set answers = answers
      || jsonb_build_object('comentario', jsonb_build_object('value', (${stack.sql.array(comments)}::text[])[1 + (abs(hashtext(id::text)) % ${comments.length})], 'answered_at', now()),
                            'recomenda', jsonb_build_object('value', abs(hashtext(id::text)) % 3 <> 0, 'answered_at', now()))
    where project_id = ${load.id}`;
  const small = await seedProject(stack.sql, company, "Pós-venda (10)", 10, 5);
  await stack.sql`
    update public.interviews i set answers = s.answers, status = 'completed', completed_at = now()
    from (select answers, row_number() over (order by id) as n from public.interviews where project_id = ${load.id} and answers ? 'nota') s,
         (select id, row_number() over (order by id) as n from public.interviews where project_id = ${small.id}) t
    where i.id = t.id and s.n = t.n`;
  await reportTimes(small.id);
  const reportSmall = summarize(await reportTimes(small.id));
  const reportLarge = summarize(await reportTimes(load.id));

  console.log("");
  console.log(line(`plain conversation: accepted → reply queued (baseline)`, baseline.summary) + `  ${baseline.perSecond.toFixed(1)} replies/s`);
  console.log(line(`interview: accepted → reply queued`, loaded.summary) + `  ${loaded.perSecond.toFixed(1)} replies/s`);
  console.log(`ratio interview / plain: p50 ${(loaded.summary.p50 / baseline.summary.p50).toFixed(2)}x, p95 ${(loaded.summary.p95 / baseline.summary.p95).toFixed(2)}x`);
  for (const phase of phases) console.log(`  ${`${phase.team}: ${phase.phase}`.padEnd(50)} p50 ${phase.p50.toFixed(1)} ms  p95 ${phase.p95.toFixed(1)} ms`);
  console.log(`answers recorded: ${recorded.answered} of ${interviews} (${recorded.in_progress} in progress), survey-team runs: ${recorded.by_survey_team}; non-200 answers: ${baseline.failed + loaded.failed}`);
  console.log(line("project_report, 10 interviews (baseline)", reportSmall));
  console.log(line(`project_report, ${interviews} interviews`, reportLarge));
  console.log(`ratio ${interviews} / 10 interviews: p50 ${(reportLarge.p50 / reportSmall.p50).toFixed(2)}x, p95 ${(reportLarge.p95 / reportSmall.p95).toFixed(2)}x`);
} finally {
  // Bounded: an outbound delivery to the unreachable Meta API can hold its rows (the purged `bench` stack goes anyway).
  await stack.sql.begin(async (tx) => {
    await tx`set local statement_timeout = '30s'`;
    await tx`delete from public.tenants where id = ${company.tenantId}`;
  }).catch((error) => say(`could not remove the company: ${error}`));
  await stack.sql`delete from auth.users where id = ${company.ownerId}`.catch(() => {});
  await stack.close();
}
