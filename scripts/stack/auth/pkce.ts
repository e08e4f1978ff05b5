// PKCE as GoTrue does it for emailed links (internal/api/pkce.go, models/flow_state.go): the client
// sends a code challenge with its request, Auth keeps it in auth.flow_state, hands an auth code to
// the redirect when the link is followed, and trades that code for a session only against the
// verifier whose SHA-256 is the challenge.
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { Queryable } from "./database.ts";
import { epochSeconds } from "./database.ts";
import { badRequest } from "./errors.ts";

/** Prefix of emailed token hashes whose flow is PKCE (GoTrue's PKCEPrefix). */
export const pkcePrefix = "pkce_";

// GoTrue's FlowStateExpiryDuration default: a flow must be finished within 5 minutes of starting.
export const flowStateExpirySeconds = 300;

const minChallengeLength = 43;
const maxChallengeLength = 128;

export interface FlowStateRow {
  id: string;
  user_id: string | null;
  auth_code: string;
  code_challenge_method: "s256" | "plain";
  code_challenge: string;
  provider_type: string;
  authentication_method: string;
  created_at: string;
  auth_code_issued_at: string | null;
}

/** GoTrue's validatePKCEParams: both or neither, and a challenge of a sane length. */
export function validatePkceParams(method: string, challenge: string): void {
  if ((challenge === "") !== (method === "")) {
    throw badRequest("validation_failed", "PKCE flow requires code_challenge_method and code_challenge");
  }
  if (challenge !== "" && (challenge.length < minChallengeLength || challenge.length > maxChallengeLength)) {
    throw badRequest("validation_failed", `code challenge has to be between ${minChallengeLength} and ${maxChallengeLength} characters`);
  }
  if (method !== "" && !["s256", "plain"].includes(method.toLowerCase())) {
    throw badRequest("validation_failed", `code challenge method ${method} is not supported`);
  }
}

/** A new flow for `userId`, e.g. for a password recovery ("recovery" as provider and method). */
export async function createFlowState(
  sql: Queryable,
  { userId, method, challenge, authenticationMethod }: { userId: string; method: string; challenge: string; authenticationMethod: string },
): Promise<void> {
  await sql`
    insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type, authentication_method, created_at, updated_at)
    values (${randomUUID()}, ${userId}, ${randomUUID()}, ${method.toLowerCase()}, ${challenge}, ${authenticationMethod}, ${authenticationMethod}, now(), now())
  `;
}

/** GoTrue's issueAuthCode: the user's latest flow of this method, stamped as issued; null when there is none. */
export async function issueAuthCode(sql: Queryable, userId: string, authenticationMethod: string): Promise<string | null> {
  const [flow] = await sql<{ id: string; auth_code: string }[]>`
    select id, auth_code from auth.flow_state
    where user_id = ${userId} and authentication_method = ${authenticationMethod}
    order by created_at desc limit 1
  `;
  if (!flow) return null;
  await sql`update auth.flow_state set auth_code_issued_at = now(), updated_at = now() where id = ${flow.id}`;
  return flow.auth_code;
}

export async function findFlowStateByAuthCode(sql: Queryable, authCode: string): Promise<FlowStateRow | null> {
  const [flow] = await sql<FlowStateRow[]>`
    select id, user_id, auth_code, code_challenge_method::text, code_challenge, provider_type, authentication_method, created_at, auth_code_issued_at
    from auth.flow_state where auth_code = ${authCode} for update
  `;
  return flow ?? null;
}

/** FlowState.IsExpired: magic links count from when the code was issued, everything else from the flow's start. */
export function isFlowStateExpired(flow: FlowStateRow, now = Date.now()): boolean {
  const start = flow.auth_code_issued_at && flow.authentication_method === "magiclink" ? flow.auth_code_issued_at : flow.created_at;
  return now / 1000 > epochSeconds(start) + flowStateExpirySeconds;
}

/** Whether the verifier answers the flow's challenge (constant time). */
export function verifierMatches(flow: FlowStateRow, verifier: string): boolean {
  const expected = flow.code_challenge_method === "s256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  const a = Buffer.from(expected);
  const b = Buffer.from(flow.code_challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
