// Fake SMS and e-mail providers for notifications (#13): one real HTTP server on 127.0.0.1 that
// speaks Twilio's Messages API and Resend's e-mail API, as the `notify` function calls them.
//
//   Twilio  POST /2010-04-01/Accounts/<AccountSid>/Messages.json   HTTP basic auth <AccountSid>:<AuthToken>
//           form-encoded To, From, Body → 201 {sid: "SM…", status: "queued", to, from, body, …}
//           errors as Twilio answers them: {code, message, more_info, status} — 20003 authentication
//           (401), 21604 To missing / 21602 Body missing / 21211 invalid To (400), 20404 unknown
//           account (404), 20429 too many requests (429)
//   Resend  POST /emails   Authorization: Bearer <key>   JSON {from, to: string | string[], subject, text | html}
//           → 200 {id}; errors {statusCode, name, message}: missing_api_key (401), invalid_api_key
//           (403), validation_error (422), rate_limit_exceeded (429), application_error (500)
//
// `startFakeNotificationChannels({ atStackAddress: true })` listens where the stack's functions send
// (TWILIO_API_URL, RESEND_API_URL; scripts/stack/instances.ts) and accepts the stack's local
// credentials. A test scripts the next answers of each service (`scriptSms`, `scriptEmails`: a
// status with the provider's own error body) and reads what was accepted (`sms`, `emails`) beside
// every attempt (`attempts`).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { localNotificationCredentials } from "../stack/instances.ts";
import { listenAtStackNotificationAddress, listenForFunctions } from "./fake-ports.ts";

export interface FakeSms {
  sid: string;
  to: string;
  from: string;
  body: string;
}
export interface FakeEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string | null;
}
export interface FakeChannelAttempt {
  service: "twilio" | "resend";
  to: string | null;
  answeredStatus: number;
}
/** A scripted answer: the status, and the provider's body (default: its own generic error for the status). */
export interface ScriptedChannelAnswer {
  status: number;
  body?: unknown;
}
export interface FakeNotificationOptions {
  atStackAddress?: boolean;
  twilio?: { accountSid: string; authToken: string };
  resendApiKey?: string;
}
export interface FakeNotificationChannels {
  url: string;
  sms: FakeSms[];
  emails: FakeEmail[];
  attempts: FakeChannelAttempt[];
  scriptSms(answers: ScriptedChannelAnswer[]): void;
  scriptEmails(answers: ScriptedChannelAnswer[]): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
}

const hex = (length: number) => randomUUID().replace(/-/g, "").padEnd(length, "0").slice(0, length);

/** Twilio's error body: https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions */
export function twilioError(status: number, code: number, message: string): Answer {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

/** Resend's error body: https://resend.com/docs/api-reference/errors */
export function resendError(statusCode: number, name: string, message: string): Answer {
  return { status: statusCode, body: { statusCode, name, message } };
}

function twilioDefault(status: number): Answer {
  if (status === 429) return twilioError(429, 20429, "Too Many Requests");
  if (status === 401) return twilioError(401, 20003, "Authenticate");
  if (status >= 500) return twilioError(status, 20500, "Internal Server Error");
  return twilioError(status, 21211, "The 'To' number is not a valid phone number.");
}

function resendDefault(status: number): Answer {
  if (status === 429) return resendError(429, "rate_limit_exceeded", "Too many requests. You can only make 2 requests per second.");
  if (status === 401) return resendError(401, "missing_api_key", "Missing API key in the authorization header.");
  if (status >= 500) return resendError(status, "application_error", "An unexpected error occurred.");
  return resendError(status, "validation_error", "Invalid `to` field.");
}

export async function startFakeNotificationChannels(options: FakeNotificationOptions = {}): Promise<FakeNotificationChannels> {
  const twilio = options.twilio ?? { accountSid: localNotificationCredentials.TWILIO_ACCOUNT_SID, authToken: localNotificationCredentials.TWILIO_AUTH_TOKEN };
  const resendKey = options.resendApiKey ?? localNotificationCredentials.RESEND_API_KEY;
  const sms: FakeSms[] = [];
  const emails: FakeEmail[] = [];
  const attempts: FakeChannelAttempt[] = [];
  const smsScript: ScriptedChannelAnswer[] = [];
  const emailScript: ScriptedChannelAnswer[] = [];

  // https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
  function twilioMessages(request: IncomingMessage, accountSid: string, raw: string): Answer {
    const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const [user, password] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    if (user !== twilio.accountSid || password !== twilio.authToken) return twilioError(401, 20003, "Authenticate");
    if (accountSid !== twilio.accountSid) {
      return twilioError(404, 20404, `The requested resource /2010-04-01/Accounts/${accountSid}/Messages.json was not found`);
    }
    if (!/^application\/x-www-form-urlencoded/i.test(request.headers["content-type"] ?? "")) {
      return twilioError(400, 21604, "A 'To' phone number is required.");
    }
    const form = new URLSearchParams(raw);
    const to = form.get("To");
    const from = form.get("From");
    const body = form.get("Body");
    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!from) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!body) return twilioError(400, 21602, "Message body is required.");
    if (!/^\+[1-9][0-9]{7,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const script = smsScript.shift();
    let answer: Answer;
    if (script) {
      answer = script.body === undefined ? twilioDefault(script.status) : { status: script.status, body: script.body };
    } else {
      const sid = `SM${hex(32)}`;
      sms.push({ sid, to, from, body });
      const now = new Date().toUTCString();
      answer = {
        status: 201,
        body: {
          account_sid: twilio.accountSid, api_version: "2010-04-01", body, date_created: now, date_sent: null, date_updated: now,
          direction: "outbound-api", error_code: null, error_message: null, from, messaging_service_sid: null, num_media: "0",
          num_segments: String(Math.ceil(body.length / 153) || 1), price: null, price_unit: "USD", sid, status: "queued",
          subresource_uris: { media: `/2010-04-01/Accounts/${twilio.accountSid}/Messages/${sid}/Media.json` }, to,
          uri: `/2010-04-01/Accounts/${twilio.accountSid}/Messages/${sid}.json`,
        },
      };
    }
    attempts.push({ service: "twilio", to, answeredStatus: answer.status });
    return answer;
  }

  // https://resend.com/docs/api-reference/emails/send-email
  function resendEmails(request: IncomingMessage, raw: string): Answer {
    const key = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1];
    if (!key) return resendError(401, "missing_api_key", "Missing API key in the authorization header.");
    if (key !== resendKey) return resendError(403, "invalid_api_key", "API key is invalid");
    let message: { from?: unknown; to?: unknown; subject?: unknown; text?: unknown; html?: unknown };
    try {
      message = JSON.parse(raw);
    } catch {
      return resendError(422, "validation_error", "Invalid JSON body.");
    }
    const to = typeof message.to === "string" ? [message.to] : Array.isArray(message.to) ? message.to.filter((item) => typeof item === "string") : [];
    if (typeof message.from !== "string" || !message.from) return resendError(422, "validation_error", "The `from` field is required.");
    if (to.length === 0 || to.some((address) => !/^[^@\s]+@[^@\s]+$/.test(address))) return resendError(422, "validation_error", "Invalid `to` field.");
    if (typeof message.subject !== "string" || !message.subject) return resendError(422, "validation_error", "The `subject` field is required.");
    if (typeof message.text !== "string" && typeof message.html !== "string") {
      return resendError(422, "validation_error", "Either `html` or `text` must be provided.");
    }
    const script = emailScript.shift();
    let answer: Answer;
    if (script) {
      answer = script.body === undefined ? resendDefault(script.status) : { status: script.status, body: script.body };
    } else {
      const id = randomUUID();
      emails.push({ id, from: message.from, to, subject: message.subject, text: typeof message.text === "string" ? message.text : null });
      answer = { status: 200, body: { id } };
    }
    attempts.push({ service: "resend", to: to[0] ?? null, answeredStatus: answer.status });
    return answer;
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = new URL(request.url ?? "/", "http://fake").pathname;
    const twilioPath = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    let answer: Answer;
    if (request.method === "POST" && twilioPath) answer = twilioMessages(request, decodeURIComponent(twilioPath[1]), raw);
    else if (request.method === "POST" && path === "/emails") answer = resendEmails(request, raw);
    else if (path.startsWith("/2010-04-01/")) answer = twilioError(404, 20404, `The requested resource ${path} was not found`);
    else answer = resendError(404, "not_found", "The requested endpoint does not exist.");
    if (response.destroyed) return;
    response.writeHead(answer.status, { "content-type": "application/json" });
    response.end(JSON.stringify(answer.body));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = options.atStackAddress ? await listenAtStackNotificationAddress(server) : await listenForFunctions(server);
  return {
    url: `http://127.0.0.1:${port}`,
    sms,
    emails,
    attempts,
    scriptSms: (answers) => void smsScript.push(...answers),
    scriptEmails: (answers) => void emailScript.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
