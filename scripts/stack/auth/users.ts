// auth.users and auth.identities: reading a user, writing one the way GoTrue does, and the user
// object exactly as GoTrue's models.User marshals to JSON (field order and omitempty included).
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { goTime, type Queryable } from "./database.ts";

export const nilInstanceId = "00000000-0000-0000-0000-000000000000";

export type Metadata = Record<string, unknown>;

/** The columns of auth.users the stand-in reads. */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: string | null;
  invited_at: string | null;
  phone: string | null;
  phone_confirmed_at: string | null;
  confirmation_sent_at: string | null;
  confirmed_at: string | null;
  recovery_token: string | null;
  recovery_sent_at: string | null;
  confirmation_token: string | null;
  email_change_token_new: string | null;
  email_change_token_current: string | null;
  email_change_confirm_status: number | null;
  reauthentication_token: string | null;
  email_change: string | null;
  email_change_sent_at: string | null;
  phone_change: string | null;
  phone_change_sent_at: string | null;
  reauthentication_sent_at: string | null;
  last_sign_in_at: string | null;
  raw_app_meta_data: Metadata | null;
  raw_user_meta_data: Metadata | null;
  created_at: string;
  updated_at: string;
  banned_until: string | null;
  deleted_at: string | null;
  is_anonymous: boolean;
  is_sso_user: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Metadata;
  provider: string;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  email: string | null;
}

export type UserJson = Record<string, unknown>;

function identityJson(identity: IdentityRow): Record<string, unknown> {
  return {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    ...(identity.identity_data && Object.keys(identity.identity_data).length > 0 ? { identity_data: identity.identity_data } : {}),
    provider: identity.provider,
    ...(identity.last_sign_in_at ? { last_sign_in_at: goTime(identity.last_sign_in_at) } : {}),
    created_at: goTime(identity.created_at),
    updated_at: goTime(identity.updated_at),
    ...(identity.email ? { email: identity.email } : {}),
  };
}

/** models.User as JSON: `omitempty` fields appear only when set. */
export function userJson(user: UserRow, identities: IdentityRow[]): UserJson {
  const optional = (key: string, value: string | null | undefined) => (value ? { [key]: value } : {});
  const optionalTime = (key: string, value: string | null) => (value ? { [key]: goTime(value) } : {});
  return {
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email: user.email ?? "",
    ...optionalTime("email_confirmed_at", user.email_confirmed_at),
    ...optionalTime("invited_at", user.invited_at),
    phone: user.phone ?? "",
    ...optionalTime("phone_confirmed_at", user.phone_confirmed_at),
    ...optionalTime("confirmation_sent_at", user.confirmation_sent_at),
    ...optionalTime("confirmed_at", user.confirmed_at),
    ...optionalTime("recovery_sent_at", user.recovery_sent_at),
    ...optional("new_email", user.email_change),
    ...optionalTime("email_change_sent_at", user.email_change_sent_at),
    ...optional("new_phone", user.phone_change),
    ...optionalTime("phone_change_sent_at", user.phone_change_sent_at),
    ...optionalTime("reauthentication_sent_at", user.reauthentication_sent_at),
    ...optionalTime("last_sign_in_at", user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: goTime(user.created_at),
    updated_at: goTime(user.updated_at),
    ...optionalTime("banned_until", user.banned_until),
    ...optionalTime("deleted_at", user.deleted_at),
    is_anonymous: user.is_anonymous,
  };
}

export async function identitiesOf(sql: Queryable, userIds: string[]): Promise<Map<string, IdentityRow[]>> {
  const byUser = new Map<string, IdentityRow[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return byUser;
  const rows = await sql<IdentityRow[]>`
    select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
    from auth.identities where user_id = any(${userIds}::uuid[]) order by created_at, id
  `;
  for (const row of rows) byUser.get(row.user_id)?.push(row);
  return byUser;
}

export async function findUserById(sql: Queryable, id: string, { forUpdate = false } = {}): Promise<UserRow | null> {
  const [user] = forUpdate
    ? await sql<UserRow[]>`select * from auth.users where instance_id = ${nilInstanceId} and id = ${id} for update`
    : await sql<UserRow[]>`select * from auth.users where instance_id = ${nilInstanceId} and id = ${id}`;
  return user ?? null;
}

/** The user as the API returns it, read inside `sql` so a transaction sees its own writes. */
export async function userResponse(sql: Queryable, id: string): Promise<UserJson> {
  const user = await findUserById(sql, id);
  if (!user) throw new Error(`user ${id} vanished`);
  return userJson(user, (await identitiesOf(sql, [id])).get(id) ?? []);
}

/** GoTrue's IsDuplicatedEmail: another user of the audience owns the address through an identity or its row. */
export async function emailTaken(sql: Queryable, email: string, aud: string, exceptUserId?: string): Promise<UserRow | null> {
  const [user] = await sql<UserRow[]>`
    select u.* from auth.users u
    where u.aud = ${aud} and u.id is distinct from ${exceptUserId ?? null}::uuid
      and (
        u.id in (select user_id from auth.identities where email = ${email.toLowerCase()} and provider not like 'sso:%')
        or (lower(u.email) = ${email.toLowerCase()} and u.is_sso_user = false)
      )
    limit 1
  `;
  return user ?? null;
}

export async function phoneTaken(sql: Queryable, phone: string, aud: string): Promise<boolean> {
  const [row] = await sql`select 1 from auth.users where instance_id = ${nilInstanceId} and phone = ${phone} and aud = ${aud} and is_sso_user = false limit 1`;
  return row !== undefined;
}

export function isBanned(user: UserRow): boolean {
  return user.banned_until !== null && Date.parse(goTime(user.banned_until)) > Date.now();
}

/** How the password column gets its value: hashed by pgcrypto's bcrypt (cost 10, GoTrue's), given as a hash, or none. */
export type PasswordInput = { plain: string } | { hash: string } | null;

export interface NewUser {
  id?: string;
  aud: string;
  email: string | null;
  phone: string | null;
  password: PasswordInput;
  appMetadata: Metadata;
  userMetadata: Metadata;
}

/**
 * Inserts the row as GoTrue's tx.Create(user) does: role still empty (GoTrue sets it with a second
 * statement), not yet confirmed, token columns as empty strings.
 */
export async function insertUser(sql: Queryable, user: NewUser): Promise<string> {
  const id = user.id ?? randomUUID();
  const plain = user.password && "plain" in user.password ? user.password.plain : null;
  const hash = user.password && "hash" in user.password ? user.password.hash : null;
  await sql`
    insert into auth.users (
      instance_id, id, aud, role, email, encrypted_password, phone,
      confirmation_token, recovery_token, email_change_token_new, email_change,
      raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at, is_sso_user, is_anonymous
    ) values (
      ${nilInstanceId}, ${id}, ${user.aud}, '', ${user.email},
      case when ${plain}::text is not null then extensions.crypt(${plain}::text, extensions.gen_salt('bf', 10)) else coalesce(${hash}::text, '') end,
      ${user.phone}, '', '', '', '',
      ${sql.json(user.appMetadata as postgres.JSONValue)}, ${sql.json(user.userMetadata as postgres.JSONValue)},
      null, now(), now(), false, false
    )
  `;
  return id;
}

/** An identity for the email or phone provider: its provider id is the user's id, as in GoTrue. */
export async function insertIdentity(sql: Queryable, userId: string, provider: "email" | "phone", data: Metadata): Promise<void> {
  await sql`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${userId}, ${userId}, ${sql.json(data as postgres.JSONValue)}, ${provider}, now(), now(), now())
  `;
}

/**
 * GoTrue's UpdateUserMetaData / UpdateAppMetaData: keys are set, and a null value removes the key.
 */
export function mergeMetadata(current: Metadata | null, updates: Metadata): Metadata {
  const merged: Metadata = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** structs.Map(provider.Claims{Subject, Email|Phone}): the identity data GoTrue records for email and phone. */
export function providerClaims(userId: string, contact: { email?: string; phone?: string }, verified = false): Metadata {
  return {
    ...(contact.email ? { email: contact.email } : {}),
    email_verified: contact.email ? verified : false,
    ...(contact.phone ? { phone: contact.phone } : {}),
    phone_verified: contact.phone ? verified : false,
    sub: userId,
  };
}

/**
 * A user of the email provider as GoTrue's signupNewUser makes one: the row, its email identity and
 * the authenticated role; confirmed at once only when `confirmed` (autoconfirm). No password when
 * `password` is null (an invited user chooses one later).
 */
export async function createEmailUser(
  sql: Queryable,
  { aud, email, password, data, confirmed }: { aud: string; email: string; password: string | null; data: Metadata; confirmed: boolean },
): Promise<UserRow> {
  const userId = await insertUser(sql, {
    aud,
    email,
    phone: null,
    password: password === null ? null : { plain: password },
    appMetadata: { provider: "email", providers: ["email"] },
    userMetadata: data,
  });
  const identityData: Metadata = { ...data, ...providerClaims(userId, { email }) };
  await insertIdentity(sql, userId, "email", identityData);
  await sql`
    update auth.users set role = 'authenticated', raw_user_meta_data = ${sql.json(identityData as postgres.JSONValue)}, updated_at = now()
    where id = ${userId}
  `;
  if (confirmed) {
    await sql`
      update auth.users
      set email_confirmed_at = now(), raw_user_meta_data = raw_user_meta_data || '{"email_verified": true}'::jsonb, updated_at = now()
      where id = ${userId}
    `;
  }
  const user = await findUserById(sql, userId);
  if (!user) throw new Error(`user ${userId} vanished`);
  return user;
}

/** The user of the audience with this (lowercased) address, locked for the caller's transaction. */
export async function findUserByEmail(sql: Queryable, email: string, aud: string): Promise<UserRow | null> {
  const [user] = await sql<UserRow[]>`
    select * from auth.users
    where instance_id = ${nilInstanceId} and lower(email) = ${email} and aud = ${aud} and is_sso_user = false
    limit 1 for update
  `;
  return user ?? null;
}
