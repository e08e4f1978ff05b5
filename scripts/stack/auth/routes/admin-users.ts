// /admin/users (GoTrue internal/api/admin.go): the user administration behind
// `supabase.auth.admin`, for tokens whose role is service_role (or supabase_admin).
import { createHash, randomBytes } from "node:crypto";
import type { Hono } from "hono";
import type postgres from "postgres";
import { z } from "zod";
import { adminActor, recordAudit } from "../audit.ts";
import { isUuid, requireAdmin } from "../authentication.ts";
import type { Queryable } from "../database.ts";
import { badRequest, notFound, unprocessable } from "../errors.ts";
import { parseGoDuration } from "../go-duration.ts";
import { validateEmail, validatePhone } from "../identifiers.ts";
import { checkPasswordStrength, maxPasswordLength } from "../passwords.ts";
import { authConfig } from "../config.ts";
import { goBool, goMap, goString, hasBody, readParams } from "../request-body.ts";
import { requestAud, type AuthContext, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { endSessions } from "../sessions.ts";
import {
  emailTaken,
  findUserById,
  identitiesOf,
  insertIdentity,
  insertUser,
  mergeMetadata,
  nilInstanceId,
  phoneTaken,
  providerClaims,
  userJson,
  userResponse,
  type Metadata,
  type PasswordInput,
  type UserRow,
} from "../users.ts";

const adminUserParams = z.object({
  id: goString,
  aud: goString,
  role: goString,
  email: goString,
  phone: goString,
  password: goString,
  password_hash: goString,
  email_confirm: goBool,
  phone_confirm: goBool,
  user_metadata: goMap,
  app_metadata: goMap,
  ban_duration: goString,
});
type AdminUserParams = z.infer<typeof adminUserParams>;

const deleteParams = z.object({ should_soft_delete: goBool });

const defaultPerPage = 50;
const maxPerPage = 1000;
const duplicateEmail = () => unprocessable("email_exists", "A user with this email address has already been registered");
const duplicatePhone = () => unprocessable("phone_exists", "Phone number already registered by another user");

/** Go's strconv.ParseUint, with its error wording. */
function parseUint(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  return value;
}

function pagination(c: AuthContext): { page: number; perPage: number } {
  try {
    const pageText = c.req.query("page") ?? "";
    const perPageText = c.req.query("per_page") ?? "";
    const page = pageText === "" ? 1 : parseUint(pageText);
    const perPage = perPageText === "" ? defaultPerPage : parseUint(perPageText);
    if (page === 0) throw new Error("page must be greater than 0");
    if (page > 2 ** 31 - 1) throw new Error("page exceeds maximum allowed value");
    if (perPage === 0) throw new Error("per_page must be greater than 0");
    if (perPage > maxPerPage) throw new Error(`per_page must not exceed ${maxPerPage}`);
    return { page, perPage };
  } catch (error) {
    throw badRequest("validation_failed", `Bad Pagination Parameters: ${(error as Error).message}`);
  }
}

function sortDirection(c: AuthContext): "asc" | "desc" {
  const sort = c.req.query("sort");
  if (!sort) return "desc";
  const [field, direction = "asc", ...rest] = sort.trim().split(/\s+/);
  if (field !== "created_at") throw badRequest("validation_failed", `Bad Sort Parameters: ${field} is not a valid sort field`);
  if (rest.length > 0 || !["asc", "desc"].includes(direction.toLowerCase())) {
    throw badRequest("validation_failed", `Bad Sort Parameters: ${direction} is not a valid sort direction`);
  }
  return direction.toLowerCase() as "asc" | "desc";
}

/** Go's url.Values.Encode: keys sorted, QueryEscape'd (space as "+"). */
function goQuery(values: Map<string, string[]>): string {
  const escape = (text: string) => encodeURIComponent(text).replace(/%20/g, "+").replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return [...values.keys()]
    .sort()
    .flatMap((key) => (values.get(key) ?? []).map((value) => `${escape(key)}=${escape(value)}`))
    .join("&");
}

/** GoTrue's AddPaginationHeaders: rel="next" while there is a next page, always rel="last". */
function paginationLink(c: AuthContext, page: number, totalPages: number): string {
  const url = new URL(c.req.url);
  const values = new Map<string, string[]>();
  for (const [key, value] of url.searchParams) values.set(key, [...(values.get(key) ?? []), value]);
  const linkTo = (target: number) => {
    values.set("page", [String(target)]);
    return `<${url.pathname}?${goQuery(values)}>`;
  };
  const next = totalPages > page ? `${linkTo(page + 1)}; rel="next", ` : "";
  return `${next}${linkTo(totalPages)}; rel="last"`;
}

/** `ban_duration`: "none" lifts a ban, else a Go duration from now. Null when not given. */
function banUntil(banDuration: string | null | undefined): { until: Date | null } | null {
  if (!banDuration) return null;
  if (banDuration === "none") return { until: null };
  const milliseconds = parseGoDuration(banDuration);
  if (milliseconds === null) {
    throw badRequest("validation_failed", `invalid format for ban duration: time: invalid duration ${JSON.stringify(banDuration)}`);
  }
  return { until: milliseconds === 0 ? null : new Date(Date.now() + milliseconds) };
}

async function loadUser(sql: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<UserRow> {
  if (!isUuid(id)) throw notFound("validation_failed", "user_id must be an UUID");
  const user = await findUserById(sql, id, options);
  if (!user) throw notFound("user_not_found", "User not found");
  return user;
}

function newPassword(params: AdminUserParams): PasswordInput {
  if (params.password != null && params.password_hash) {
    throw badRequest("validation_failed", "Only a password or a password hash should be provided");
  }
  if (params.password_hash) {
    if (!/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(params.password_hash)) {
      throw badRequest("validation_failed", "password_hash must be a bcrypt hash");
    }
    return { hash: params.password_hash };
  }
  // Without a password GoTrue sets a random one nobody knows.
  const plain = params.password || randomBytes(48).toString("base64url").slice(0, 64);
  if (Buffer.byteLength(plain) > maxPasswordLength) throw badRequest("validation_failed", "bcrypt: password length exceeds 72 bytes");
  return { plain };
}

/** GoTrue's obfuscateValue, used by soft deletion. */
function obfuscate(userId: string, value: string): string {
  return createHash("sha256").update(userId + value).digest("base64url");
}

async function softDelete(tx: Queryable, user: UserRow): Promise<void> {
  await tx`
    update auth.users
    set email = ${obfuscate(user.id, user.email ?? "")}, phone = ${obfuscate(user.id, user.phone ?? "").slice(0, 15)},
        email_change = ${obfuscate(user.id, user.email_change ?? "")}, phone_change = ${obfuscate(user.id, user.phone_change ?? "").slice(0, 15)},
        encrypted_password = null, confirmation_token = '', recovery_token = '', email_change_token_current = '',
        email_change_token_new = '', phone_change_token = '', deleted_at = now(),
        raw_user_meta_data = '{}'::jsonb, raw_app_meta_data = '{}'::jsonb, updated_at = now()
    where id = ${user.id}
  `;
  const identities = await tx<{ id: string; provider: string; provider_id: string }[]>`
    select id, provider, provider_id from auth.identities where user_id = ${user.id}
  `;
  for (const identity of identities) {
    await tx`
      update auth.identities set identity_data = '{}'::jsonb, provider_id = ${obfuscate(user.id, `${identity.provider}:${identity.provider_id}`)}
      where id = ${identity.id}
    `;
  }
  await endSessions(tx, user.id);
}

function isEmailIndexViolation(error: unknown): boolean {
  const pgError = error as { code?: string; constraint_name?: string } | null;
  return pgError?.code === "23505" && pgError.constraint_name === "users_email_partial_key";
}

export function adminUserRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.get("/admin/users", async (c) => {
    await requireAdmin(c.req.header("authorization"));
    const { page, perPage } = pagination(c);
    const direction = sortDirection(c);
    const filter = c.req.query("filter") ?? "";
    const sql = deps.sql();
    const aud = requestAud(c);
    const matches = filter
      ? sql`and (email like ${`%${filter}%`} or raw_user_meta_data->>'full_name' ilike ${`%${filter}%`})`
      : sql``;
    const [{ count }] = await sql<{ count: string }[]>`
      select count(*) from auth.users where instance_id = ${nilInstanceId} and aud = ${aud} ${matches}
    `;
    const rows = await sql<UserRow[]>`
      select * from auth.users where instance_id = ${nilInstanceId} and aud = ${aud} ${matches}
      order by created_at ${direction === "asc" ? sql`asc` : sql`desc`}, id
      limit ${perPage} offset ${(page - 1) * perPage}
    `;
    const identities = await identitiesOf(sql, rows.map((row) => row.id));
    const total = Number(count);
    c.header("Link", paginationLink(c, page, Math.max(Math.ceil(total / perPage), 1)));
    c.header("X-Total-Count", String(total));
    return c.json({ users: rows.map((row) => userJson(row, identities.get(row.id) ?? [])), aud });
  });

  app.post("/admin/users", async (c) => {
    const role = await requireAdmin(c.req.header("authorization"));
    const params = await readParams(c, "AdminUserParams", adminUserParams);
    const sql = deps.sql();
    const aud = params.aud || requestAud(c);
    if (!params.email && !params.phone) {
      throw badRequest("validation_failed", "Cannot create a user without either an email or phone");
    }
    const providers: ("email" | "phone")[] = [];
    const email = params.email ? validateEmail(params.email) : null;
    if (email) {
      if (await emailTaken(sql, email, aud)) throw duplicateEmail();
      providers.push("email");
    }
    const phone = params.phone ? validatePhone(params.phone) : null;
    if (phone) {
      if (await phoneTaken(sql, phone, aud)) throw duplicatePhone();
      providers.push("phone");
    }
    const password = newPassword(params);
    if (params.id && !isUuid(params.id)) throw badRequest("validation_failed", "ID must conform to the uuid v4 format");
    if (params.id === nilInstanceId) throw badRequest("validation_failed", "ID cannot be a nil uuid");
    const ban = banUntil(params.ban_duration);

    try {
      const body = await sql.begin(async (tx) => {
        const userId = await insertUser(tx, {
          id: params.id ?? undefined,
          aud,
          email,
          phone,
          password,
          appMetadata: { provider: providers[0], providers },
          userMetadata: params.user_metadata ?? {},
        });
        if (email) await insertIdentity(tx, userId, "email", providerClaims(userId, { email }));
        if (phone) await insertIdentity(tx, userId, "phone", providerClaims(userId, { phone }));
        await recordAudit(tx, adminActor(role), "user_signedup", { user_id: userId, user_email: email ?? "", user_phone: phone ?? "" });
        const appMetadata = mergeMetadata({ provider: providers[0], providers }, params.app_metadata ?? {});
        const userMetadata = params.email_confirm ? { ...(params.user_metadata ?? {}), email_verified: true } : (params.user_metadata ?? {});
        await tx`
          update auth.users
          set role = ${params.role || "authenticated"},
              raw_app_meta_data = ${tx.json(appMetadata as postgres.JSONValue)},
              raw_user_meta_data = ${tx.json(userMetadata as postgres.JSONValue)},
              email_confirmed_at = case when ${params.email_confirm === true} then now() else email_confirmed_at end,
              phone_confirmed_at = case when ${params.phone_confirm === true} then now() else phone_confirmed_at end,
              banned_until = case when ${ban !== null} then ${ban?.until ?? null}::timestamptz else banned_until end,
              updated_at = now()
          where id = ${userId}
        `;
        return userResponse(tx, userId);
      });
      return c.json(body);
    } catch (error) {
      if (isEmailIndexViolation(error)) throw duplicateEmail();
      throw error;
    }
  });

  app.get("/admin/users/:id", async (c) => {
    await requireAdmin(c.req.header("authorization"));
    const sql = deps.sql();
    const user = await loadUser(sql, c.req.param("id"));
    return c.json(userJson(user, (await identitiesOf(sql, [user.id])).get(user.id) ?? []));
  });

  app.put("/admin/users/:id", async (c) => {
    const role = await requireAdmin(c.req.header("authorization"));
    const sql = deps.sql();
    const existing = await loadUser(sql, c.req.param("id"));
    const params = await readParams(c, "AdminUserParams", adminUserParams);
    const email = params.email ? validateEmail(params.email) : null;
    const phone = params.phone ? validatePhone(params.phone) : null;
    const ban = banUntil(params.ban_duration);
    const password = params.password ?? null;
    if (password !== null) checkPasswordStrength(password, authConfig());
    // GoTrue lets the unique index refuse a taken address (a 500); the stand-in says why.
    if (email && email !== existing.email && (await emailTaken(sql, email, existing.aud ?? requestAud(c), existing.id))) {
      throw duplicateEmail();
    }
    if (phone && phone !== existing.phone && (await phoneTaken(sql, phone, existing.aud ?? requestAud(c)))) throw duplicatePhone();

    const body = await sql.begin(async (tx) => {
      const user = await loadUser(tx, existing.id, { forUpdate: true });
      let userMetadata = params.user_metadata ? mergeMetadata(user.raw_user_meta_data, params.user_metadata) : user.raw_user_meta_data ?? {};
      if (params.email_confirm) userMetadata = { ...userMetadata, email_verified: true };
      const appMetadata = params.app_metadata ? mergeMetadata(user.raw_app_meta_data, params.app_metadata) : user.raw_app_meta_data ?? {};
      await tx`
        update auth.users
        set role = ${params.role || user.role},
            email_confirmed_at = case when ${params.email_confirm === true} then now() else email_confirmed_at end,
            phone_confirmed_at = case when ${params.phone_confirm === true} then now() else phone_confirmed_at end,
            email = ${email ?? user.email}, phone = ${phone ?? user.phone},
            is_anonymous = is_anonymous and not ${(email !== null && params.email_confirm === true) || (phone !== null && params.phone_confirm === true)},
            raw_user_meta_data = ${tx.json(userMetadata as postgres.JSONValue)},
            raw_app_meta_data = ${tx.json(appMetadata as postgres.JSONValue)},
            banned_until = case when ${ban !== null} then ${ban?.until ?? null}::timestamptz else banned_until end,
            updated_at = now()
        where id = ${user.id}
      `;
      if (password !== null) {
        await tx`
          update auth.users
          set encrypted_password = extensions.crypt(${password}, extensions.gen_salt('bf', 10)),
              confirmation_token = '', recovery_token = '', email_change_token_current = '', email_change_token_new = '',
              phone_change_token = '', reauthentication_token = '', updated_at = now()
          where id = ${user.id}
        `;
        // An administrator's password change signs the user out everywhere.
        await endSessions(tx, user.id);
      }
      for (const [provider, value, confirmed] of [
        ["email", email, params.email_confirm === true],
        ["phone", phone, params.phone_confirm === true],
      ] as const) {
        if (!value) continue;
        const [identity] = await tx`select id from auth.identities where user_id = ${user.id} and provider = ${provider}`;
        const update: Metadata = { [provider]: value, [`${provider}_verified`]: confirmed };
        if (identity) {
          await tx`update auth.identities set identity_data = identity_data || ${tx.json(update as postgres.JSONValue)}, updated_at = now() where id = ${identity.id}`;
        } else {
          await insertIdentity(tx, user.id, provider, providerClaims(user.id, { [provider]: value }, confirmed));
        }
      }
      await recordAudit(tx, adminActor(role), "user_modified", {
        user_id: user.id,
        user_email: email ?? user.email ?? "",
        user_phone: phone ?? user.phone ?? "",
      });
      return userResponse(tx, user.id);
    });
    return c.json(body);
  });

  app.delete("/admin/users/:id", async (c) => {
    const role = await requireAdmin(c.req.header("authorization"));
    const sql = deps.sql();
    const user = await loadUser(sql, c.req.param("id"));
    const softly = hasBody(c) ? (await readParams(c, "adminUserDeleteParams", deleteParams)).should_soft_delete === true : false;
    await sql.begin(async (tx) => {
      await recordAudit(tx, adminActor(role), "user_deleted", {
        user_id: user.id,
        user_email: user.email ?? "",
        user_phone: user.phone ?? "",
      });
      if (softly) {
        if (!user.deleted_at) await softDelete(tx, user);
      } else {
        await tx`delete from auth.refresh_tokens where user_id = ${user.id}`;
        await tx`delete from auth.users where id = ${user.id}`;
      }
    });
    return c.json({});
  });
}
