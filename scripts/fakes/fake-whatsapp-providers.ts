// Fake WhatsApp provider servers: one real HTTP server on 127.0.0.1 that speaks the three wire
// formats Renum talks to — Meta's Graph API (Cloud API), Z-API and Evolution — for the requests the
// API's "test connection" makes and the sends of outbound delivery (#13). Each account a test
// registers answers as the provider does for a good credential, and with the provider's own error
// JSON for a bad one (quoting what it was sent, as the providers' messages do, so a test can prove
// Renum never passes their words or the secret on).
//
//   Meta     GET  /<version>/<phone_number_id>               Bearer access token
//            POST /<version>/<phone_number_id>/messages      {messaging_product, to, type:"text", text:{body}}
//                                                            or type:"template", template:{name, language:{code},
//                                                            components:[header?, body?, button*]} (header, body and
//                                                            button parameters, checked against the number's WABA
//                                                            templates as Meta does: 132001 unknown name/language,
//                                                            132000 a value missing or extra, 132012 a value of the
//                                                            wrong kind, 132015/132016 paused/disabled)
//            GET  /<version>/<waba id>/message_templates     Bearer; ?fields&limit&after → {data, paging:{cursors, next?}}
//   Z-API    GET  /instances/<id>/token/<instance token>/status      Client-Token header
//            POST /instances/<id>/token/<instance token>/send-text   {phone, message}
//   Evolution GET  /instance/connectionState/<instance name>  apikey header
//            POST /message/sendText/<instance name>           {number, text}
//
// A test scripts the answers to the next sends (`scriptSends`: a 429 with Retry-After, a 500, a
// provider's own refusal, a slow answer), and reads every send attempt (`sendAttempts`) beside the
// messages accepted (`sent`). `startFakeWhatsAppProviders({ atStackAddress: true })` listens where
// the stack's functions send Meta's and Z-API's requests (scripts/stack/instances.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { listenAtStackWhatsAppAddress, listenForFunctions } from "./fake-ports.ts";

export interface FakeMetaAccount {
  phoneNumberId: string;
  accessToken: string;
  displayPhoneNumber?: string;
  /** The WhatsApp Business Account the number belongs to (whose templates it may send). */
  wabaId?: string;
}

/** A template as Meta lists it (GET /<waba id>/message_templates). */
export interface FakeMetaTemplate {
  name: string;
  language: string;
  status: "APPROVED" | "PENDING" | "REJECTED" | "PAUSED" | "DISABLED" | "IN_APPEAL";
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  components: { type: string; text?: string; format?: string; [key: string]: unknown }[];
}
export interface FakeZapiAccount {
  instanceId: string;
  instanceToken: string;
  clientToken: string;
  connected?: boolean;
}
export interface FakeEvolutionAccount {
  instanceName: string;
  apiKey: string;
  state?: "open" | "close" | "connecting";
}

export interface FakeWhatsAppRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

/** A message a fake accepted for sending. */
export interface FakeSentMessage {
  provider: "meta_cloud" | "zapi" | "evolution";
  account: string;
  to: string;
  body: string;
  providerMessageId: string;
  /** A template message: the `template` object as it arrived (body is then its rendered text). */
  template?: unknown;
}

/** One scripted answer to a send: a status with a body (default: the provider's generic error), and when. */
export interface ScriptedSendAnswer {
  status: number;
  body?: unknown;
  /** The Retry-After header, as given. */
  retryAfter?: string;
  /** Wait this long before answering (a slow provider; longer than the caller's timeout: a timeout). */
  delayMs?: number;
  /** Accept the message (record it in `sent`) but answer only after delayMs: a 200 the caller may not see. */
  acceptThenAnswer?: boolean;
}

/** A send request as it arrived, whatever the answer. */
export interface FakeSendAttempt {
  provider: FakeSentMessage["provider"];
  account: string;
  to: string | null;
  body: string | null;
  answeredStatus: number;
}

export interface FakeWhatsAppOptions {
  /** Listen at the port the stack's functions send Meta's and Z-API's requests to. */
  atStackAddress?: boolean;
  /** Every accepted send waits this long before answering (a provider's latency). */
  sendLatencyMs?: number;
  /** Called as each message is accepted (a benchmark times arrivals). */
  onAccepted?: (message: FakeSentMessage) => void;
}

export interface FakeWhatsAppProviders {
  /** The server's base URL (Z-API's and Evolution's base). */
  url: string;
  /** The Graph API base with its version, as WHATSAPP_GRAPH_URL names it. */
  graphUrl: string;
  requests: FakeWhatsAppRequest[];
  sent: FakeSentMessage[];
  sendAttempts: FakeSendAttempt[];
  /** The next sends (any provider) get these answers, in order; then sends are accepted again. */
  scriptSends(answers: ScriptedSendAnswer[]): void;
  meta(account: FakeMetaAccount): void;
  /** The templates of a WhatsApp Business Account, listed to this access token. */
  metaTemplates(wabaId: string, accessToken: string, templates: FakeMetaTemplate[]): void;
  zapi(account: FakeZapiAccount): void;
  evolution(account: FakeEvolutionAccount): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

const graphVersion = "v21.0";
let sequence = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(16)}${(++sequence).toString(16).padStart(6, "0")}`;

export async function startFakeWhatsAppProviders(options: FakeWhatsAppOptions = {}): Promise<FakeWhatsAppProviders> {
  const metaAccounts = new Map<string, FakeMetaAccount>();
  const metaTemplateAccounts = new Map<string, { accessToken: string; templates: FakeMetaTemplate[] }>();
  const zapiAccounts = new Map<string, FakeZapiAccount>();
  const evolutionAccounts = new Map<string, FakeEvolutionAccount>();
  const requests: FakeWhatsAppRequest[] = [];
  const sent: FakeSentMessage[] = [];
  const sendAttempts: FakeSendAttempt[] = [];
  const scripted: ScriptedSendAnswer[] = [];

  // A send that passed the provider's checks: the next scripted answer, or accepted.
  function answerSend(provider: FakeSentMessage["provider"], account: string, to: string, body: string, accept: () => Answer): Answer {
    const script = scripted.shift();
    let answer: Answer;
    if (!script) {
      answer = { ...accept(), delayMs: options.sendLatencyMs };
      if (options.onAccepted && answer.status < 300) options.onAccepted(sent[sent.length - 1]);
    } else if (script.acceptThenAnswer) {
      answer = { ...accept(), delayMs: script.delayMs };
    } else {
      const fallback = provider === "meta_cloud"
        ? graphError(script.status, script.status === 429 ? 130429 : 131000, "OAuthException", "(#131000) Something went wrong")
        : { status: script.status, body: { error: "scripted failure" } };
      answer = {
        status: script.status,
        body: script.body ?? fallback.body,
        headers: script.retryAfter === undefined ? undefined : { "retry-after": script.retryAfter },
        delayMs: script.delayMs,
      };
    }
    sendAttempts.push({ provider, account, to, body, answeredStatus: answer.status });
    return answer;
  }

  function graphError(status: number, code: number, type: string, message: string, subcode?: number): Answer {
    return { status, body: { error: { message, type, code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: nextId("A") } } };
  }

  // https://developers.facebook.com/docs/whatsapp/cloud-api/reference/phone-numbers and /messages
  function meta(request: IncomingMessage, parts: string[], body: unknown): Answer {
    const [version, phoneNumberId, edge] = parts;
    if (version !== graphVersion) return graphError(400, 2635, "OAuthException", `(#2635) You are calling a deprecated version of the Graph API (${version}).`);
    const token = request.headers.authorization?.replace(/^Bearer\s+/i, "") ?? "";
    if (edge === "message_templates") return metaTemplateList(request, phoneNumberId, token);
    const account = metaAccounts.get(phoneNumberId);
    if (!token) return graphError(401, 2500, "OAuthException", "An active access token must be used to query information about the current user.");
    if (!account || account.accessToken !== token) {
      if (account) return graphError(401, 190, "OAuthException", `Invalid OAuth access token - Cannot parse access token ${token}`);
      return graphError(400, 100, "GraphMethodException", `Unsupported get request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33);
    }
    if (request.method === "GET" && edge === undefined) {
      return {
        status: 200,
        body: { verified_name: "Renum Test", display_phone_number: account.displayPhoneNumber ?? "+55 11 4000-0000", quality_rating: "GREEN", id: phoneNumberId },
      };
    }
    if (request.method === "POST" && edge === "messages") {
      const message = body as { messaging_product?: string; to?: string; type?: string; text?: { body?: string } } | null;
      if (message?.messaging_product !== "whatsapp") return graphError(400, 100, "OAuthException", "(#100) The parameter messaging_product is required.");
      if (typeof message.to !== "string" || !/^\+?[0-9]{8,15}$/.test(message.to)) return graphError(400, 100, "OAuthException", "(#100) Invalid parameter: to");
      if (message.type === "template") return metaTemplateSend(account, message.to, (body as { template?: unknown }).template);
      if (message.type !== "text" || typeof message.text?.body !== "string") return graphError(400, 100, "OAuthException", "(#100) Param text['body'] is required.");
      if (message.text.body.length > 4096) return graphError(400, 100, "OAuthException", "(#100) Param text['body'] must be at most 4096 characters long.");
      const waId = message.to.replace(/^\+/, "");
      const text = message.text.body;
      return answerSend("meta_cloud", phoneNumberId, waId, text, () => {
        const id = `wamid.${Buffer.from(nextId("HBgN")).toString("base64")}`;
        sent.push({ provider: "meta_cloud", account: phoneNumberId, to: waId, body: text, providerMessageId: id });
        return { status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: message.to, wa_id: waId }], messages: [{ id }] } };
      });
    }
    return graphError(400, 100, "GraphMethodException", "Unsupported request.");
  }

  // https://developers.facebook.com/docs/graph-api/reference/whatsapp-business-account/message_templates/
  // Pages by `limit` (default 25) with an opaque `after` cursor; `paging.next` only while more remain.
  function metaTemplateList(request: IncomingMessage, wabaId: string, token: string): Answer {
    if (request.method !== "GET") return graphError(400, 100, "GraphMethodException", "Unsupported request.");
    const listed = metaTemplateAccounts.get(wabaId);
    if (!token) return graphError(401, 2500, "OAuthException", "An active access token must be used to query information about the current user.");
    if (!listed) {
      return graphError(400, 100, "GraphMethodException", `Unsupported get request. Object with ID '${wabaId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33);
    }
    if (listed.accessToken !== token) return graphError(401, 190, "OAuthException", `Invalid OAuth access token - Cannot parse access token ${token}`);
    const query = new URL(request.url ?? "/", "http://fake").searchParams;
    const limit = Math.min(Math.max(Number(query.get("limit") ?? 25) || 25, 1), 1000);
    const after = query.get("after");
    const start = after ? Number(Buffer.from(after, "base64").toString("utf8").replace(/^offset:/, "")) : 0;
    if (!Number.isInteger(start) || start < 0) return graphError(400, 100, "OAuthException", "(#100) Invalid parameter: after");
    const fields = (query.get("fields") ?? "name,status,language,category").split(",").map((field) => field.trim());
    const page = listed.templates.slice(start, start + limit).map((template, index) => {
      const shown: Record<string, unknown> = { id: String(1_000_000 + start + index) };
      for (const field of fields) if (field in template) shown[field] = template[field as keyof FakeMetaTemplate];
      return shown;
    });
    const cursor = (offset: number) => Buffer.from(`offset:${offset}`).toString("base64");
    const end = start + page.length;
    const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(end) } };
    if (end < listed.templates.length) {
      paging.next = `https://graph.facebook.com/${graphVersion}/${wabaId}/message_templates?limit=${limit}&after=${cursor(end)}`;
    }
    return { status: 200, body: { data: page, paging } };
  }

  // https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates and the
  // error codes page: the template is looked up by name and language among the number's account's.
  function metaTemplateSend(account: FakeMetaAccount, to: string, raw: unknown): Answer {
    const template = raw as { name?: unknown; language?: { code?: unknown }; components?: unknown } | undefined;
    if (typeof template?.name !== "string" || typeof template.language?.code !== "string") {
      return graphError(400, 100, "OAuthException", "(#100) Param template['name'] and template['language']['code'] are required.");
    }
    const name = template.name;
    const language = template.language.code;
    const known = (account.wabaId ? metaTemplateAccounts.get(account.wabaId)?.templates : undefined)
      ?.find((candidate) => candidate.name === name && candidate.language === language);
    if (!known || ["PENDING", "REJECTED", "IN_APPEAL"].includes(known.status)) {
      return graphError(404, 132001, "OAuthException", "(#132001) Template name does not exist in the translation");
    }
    if (known.status === "PAUSED") return graphError(400, 132015, "OAuthException", "(#132015) Template is Paused");
    if (known.status === "DISABLED") return graphError(400, 132016, "OAuthException", "(#132016) Template is disabled");
    const bodyText = known.components.find((component) => component.type.toUpperCase() === "BODY")?.text ?? "";
    const expected = Math.max(0, ...[...bodyText.matchAll(/\{\{\s*([0-9]+)\s*\}\}/g)].map((match) => Number(match[1])));
    const components = Array.isArray(template.components) ? template.components as { type?: string; parameters?: { type?: string; text?: unknown }[]; [key: string]: unknown }[] : [];
    const parameters = components.find((component) => component?.type?.toLowerCase() === "body")?.parameters ?? [];
    if (parameters.length !== expected || parameters.some((parameter) => parameter?.type !== "text" || typeof parameter.text !== "string")) {
      return graphError(400, 132000, "OAuthException", "(#132000) Number of parameters does not match the expected number of params");
    }
    const valuesRefusal = metaTemplateValuesRefusal(known, components);
    if (valuesRefusal) return valuesRefusal;
    const rendered = bodyText.replace(/\{\{\s*([0-9]+)\s*\}\}/g, (_, number: string) => String(parameters[Number(number) - 1].text));
    const waId = to.replace(/^\+/, "");
    return answerSend("meta_cloud", account.phoneNumberId, waId, rendered, () => {
      const id = `wamid.${Buffer.from(nextId("HBgN")).toString("base64")}`;
      sent.push({ provider: "meta_cloud", account: account.phoneNumberId, to: waId, body: rendered, providerMessageId: id, template: raw });
      return { status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: waId }], messages: [{ id, message_status: "accepted" }] } };
    });
  }

  // The header and button parameters Meta checks against the template: a text header with a
  // variable takes one text, an IMAGE / VIDEO / DOCUMENT header one parameter of that type with a
  // link; each URL button with a variable and each COPY_CODE button takes one component
  // {type:"button", sub_type, index, parameters}. Missing or extra values are 132000, a value of
  // the wrong kind 132012, as Meta answers.
  function metaTemplateValuesRefusal(known: FakeMetaTemplate, components: { type?: string; [key: string]: unknown }[]): Answer | null {
    const countMismatch = graphError(400, 132000, "OAuthException", "(#132000) Number of parameters does not match the expected number of params");
    const formatMismatch = graphError(400, 132012, "OAuthException", "(#132012) Parameter format does not match format in the created template");
    const header = known.components.find((component) => component.type.toUpperCase() === "HEADER");
    const format = (header?.format ?? "TEXT").toLowerCase();
    const expectsHeader = header !== undefined && (["image", "video", "document"].includes(format) || /\{\{[^{}]+\}\}/.test(header.text ?? ""));
    const sentHeaders = components.filter((component) => component?.type?.toLowerCase() === "header");
    if (sentHeaders.length !== (expectsHeader ? 1 : 0)) return countMismatch;
    if (expectsHeader) {
      const parameters = Array.isArray(sentHeaders[0].parameters) ? sentHeaders[0].parameters as Record<string, unknown>[] : [];
      if (parameters.length !== 1) return countMismatch;
      const [parameter] = parameters;
      if (parameter?.type !== format) return formatMismatch;
      if (format === "text" ? typeof parameter.text !== "string" : !/^https:\/\//.test(String((parameter[format] as { link?: unknown } | undefined)?.link ?? ""))) {
        return formatMismatch;
      }
    }
    const buttons = (known.components.find((component) => component.type.toUpperCase() === "BUTTONS")?.buttons ?? []) as { type?: string; url?: string }[];
    const expectedButtons = new Map<string, string>();
    buttons.forEach((button, index) => {
      const type = (button.type ?? "").toUpperCase();
      if (type === "URL" && /\{\{[^{}]+\}\}/.test(button.url ?? "")) expectedButtons.set(String(index), "url");
      if (type === "COPY_CODE") expectedButtons.set(String(index), "copy_code");
    });
    const sentButtons = components.filter((component) => component?.type?.toLowerCase() === "button");
    if (sentButtons.length !== expectedButtons.size) return countMismatch;
    for (const sent of sentButtons) {
      const subType = expectedButtons.get(String(sent.index));
      if (!subType) return countMismatch;
      const parameters = Array.isArray(sent.parameters) ? sent.parameters as Record<string, unknown>[] : [];
      if (sent.sub_type !== subType || parameters.length !== 1) return formatMismatch;
      const ok = subType === "url"
        ? parameters[0]?.type === "text" && typeof parameters[0].text === "string"
        : parameters[0]?.type === "coupon_code" && typeof parameters[0].coupon_code === "string";
      if (!ok) return formatMismatch;
    }
    return null;
  }

  // https://developer.z-api.io/en/instance/status and /message/send-message-text
  function zapi(request: IncomingMessage, parts: string[], body: unknown): Answer {
    const [instanceId, tokenWord, instanceToken, action] = parts;
    const account = zapiAccounts.get(instanceId);
    if (tokenWord !== "token" || !account || account.instanceToken !== instanceToken) {
      return { status: 400, body: { error: "Instance not found" } };
    }
    const clientToken = request.headers["client-token"];
    if (clientToken !== account.clientToken) {
      return { status: 400, body: { error: `Client-Token ${clientToken ?? "null"} not allowed` } };
    }
    if (request.method === "GET" && action === "status") {
      const connected = account.connected ?? true;
      return {
        status: 200,
        body: { connected, session: connected, smartphoneConnected: connected, error: connected ? null : "You are not connected." },
      };
    }
    if (request.method === "POST" && action === "send-text") {
      const message = body as { phone?: string; message?: string } | null;
      if (typeof message?.phone !== "string" || typeof message.message !== "string") {
        return { status: 400, body: { error: "phone and message are required" } };
      }
      const { phone, message: text } = message;
      return answerSend("zapi", instanceId, phone, text, () => {
        const id = nextId("3EB0");
        sent.push({ provider: "zapi", account: instanceId, to: phone, body: text, providerMessageId: id });
        return { status: 200, body: { zaapId: nextId("Z"), messageId: id, id } };
      });
    }
    return { status: 404, body: { error: "NOT_FOUND", message: "Unable to find matching target resource method" } };
  }

  // Evolution API v2: /instance/connectionState/{instance}, /message/sendText/{instance}
  function evolution(request: IncomingMessage, parts: string[], body: unknown): Answer {
    const [group, action, instanceName] = parts.map(decodeURIComponent);
    const account = evolutionAccounts.get(instanceName);
    if (!account || request.headers.apikey !== account.apiKey) {
      return { status: 401, body: { status: 401, error: "Unauthorized", response: { message: "Unauthorized" } } };
    }
    if (request.method === "GET" && group === "instance" && action === "connectionState") {
      return { status: 200, body: { instance: { instanceName, state: account.state ?? "open" } } };
    }
    if (request.method === "POST" && group === "message" && action === "sendText") {
      const message = body as { number?: string; text?: string } | null;
      if (typeof message?.number !== "string" || typeof message.text !== "string") {
        return { status: 400, body: { status: 400, error: "Bad Request", response: { message: [["instance requires property \"text\""]] } } };
      }
      const { number, text } = message;
      return answerSend("evolution", instanceName, number, text, () => {
        const id = nextId("BAE5");
        sent.push({ provider: "evolution", account: instanceName, to: number, body: text, providerMessageId: id });
        return {
          status: 201,
          body: {
            key: { remoteJid: `${number}@s.whatsapp.net`, fromMe: true, id },
            message: { conversation: text },
            messageTimestamp: String(Math.floor(Date.now() / 1000)),
            status: "PENDING",
          },
        };
      });
    }
    return { status: 404, body: { status: 404, error: "Not Found", response: { message: [`The "${instanceName}" instance does not exist`] } } };
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const path = new URL(request.url ?? "/", "http://fake").pathname;
    requests.push({ method: request.method ?? "", path, headers: request.headers, body });
    const parts = path.split("/").filter(Boolean);
    let answer: Answer;
    if (parts[0] === "instances") answer = zapi(request, parts.slice(1), body);
    else if (parts[0] === "instance" || parts[0] === "message") answer = evolution(request, parts, body);
    else if (/^v[0-9]+\.[0-9]+$/.test(parts[0] ?? "")) answer = meta(request, parts, body);
    else answer = { status: 404, body: { error: "not found" } };
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (response.destroyed) return;
    response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    response.end(JSON.stringify(answer.body));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = options.atStackAddress ? await listenAtStackWhatsAppAddress(server) : await listenForFunctions(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    graphUrl: `${url}/${graphVersion}`,
    requests,
    sent,
    sendAttempts,
    scriptSends: (answers) => void scripted.push(...answers),
    meta: (account) => void metaAccounts.set(account.phoneNumberId, account),
    metaTemplates: (wabaId, accessToken, templates) => void metaTemplateAccounts.set(wabaId, { accessToken, templates }),
    zapi: (account) => void zapiAccounts.set(account.instanceId, account),
    evolution: (account) => void evolutionAccounts.set(account.instanceName, account),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
