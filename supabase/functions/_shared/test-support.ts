// Fixtures for the vitest suites of the functions (Node, against the stack's real database):
// users in auth.users, access tokens signed as Supabase Auth signs them, tenants with members.
// Never imported by a function.
import { SignJWT } from "jose";
import postgres from "postgres";
import { stackEnv } from "../../../scripts/test/stack-env.ts";
import type { Sql } from "./db.ts";

/** A pool to the stack's database as `postgres`, configured like the functions' (no prepared statements). */
export function testDatabase(max = 4): Sql {
  return postgres(stackEnv.dbUrl, { max, prepare: false, onnotice: () => {} });
}

export interface TestUser {
  id: string;
  email: string;
}

/** Users as Supabase Auth stores them, with distinct emails under example.test. */
export async function createUsers(sql: Sql, count: number, label = "api"): Promise<TestUser[]> {
  const users = Array.from({ length: count }, (_, index) => {
    const id = crypto.randomUUID();
    return { id, email: `${label}-${index}-${id.slice(0, 8)}@example.test` };
  });
  for (const user of users) {
    await sql`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                              raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', ${user.id}, 'authenticated', 'authenticated', ${user.email}, '',
              now(), ${sql.json({ provider: "email", providers: ["email"] })}, ${sql.json({})}, now(), now())`;
  }
  return users;
}

export async function deleteUsers(sql: Sql, users: TestUser[]): Promise<void> {
  if (users.length > 0) await sql`delete from auth.users where id in ${sql(users.map((user) => user.id))}`;
}

/** Signs claims with HS256 and the stack's JWT secret (or `secret`), like Supabase Auth's access tokens. */
export function signToken(
  claims: Record<string, unknown>,
  { secret = stackEnv.jwtSecret, expiresInSeconds = 3600 }: { secret?: string; expiresInSeconds?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + expiresInSeconds, ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

/** The claims Supabase Auth puts in a signed-in user's access token. */
export function userClaims(user: TestUser): Record<string, unknown> {
  return {
    iss: `${stackEnv.apiUrl}/auth/v1`,
    sub: user.id,
    aud: "authenticated",
    email: user.email,
    phone: "",
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: Math.floor(Date.now() / 1000) }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  };
}

export function userToken(
  user: TestUser,
  overrides: Record<string, unknown> = {},
  options?: Parameters<typeof signToken>[1],
) {
  return signToken({ ...userClaims(user), ...overrides }, options);
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/**
 * Tenants with members for tests of tenant-scoped code. With the tenancy migration applied the real
 * tables are used; on a database without it (a stack built before the migration landed) an
 * equivalent, throwaway `public.memberships` is created for the run and dropped by `cleanup()`.
 */
export class TenantFixtures {
  private readonly tenantIds: string[] = [];
  private throwawayTable = false;
  private realTenants = false;

  constructor(private readonly sql: Sql) {}

  async setup(): Promise<void> {
    const [found] = await this.sql<{ memberships: string | null; tenants: string | null }[]>`
      select to_regclass('public.memberships')::text as memberships, to_regclass('public.tenants')::text as tenants`;
    this.realTenants = found.tenants !== null;
    if (found.memberships !== null) return;
    this.throwawayTable = true;
    await this.sql.begin(async (tx) => {
      await tx`
        create table public.memberships (
          id uuid primary key default gen_random_uuid(),
          tenant_id uuid not null,
          user_id uuid not null references auth.users (id) on delete cascade,
          role text not null default 'member',
          created_at timestamptz not null default now(),
          unique (tenant_id, user_id)
        )`;
      await tx`alter table public.memberships enable row level security`;
      await tx`create policy "users read their own memberships" on public.memberships for select to authenticated using (user_id = (select auth.uid()))`;
      await tx`grant select on public.memberships to authenticated`;
    });
  }

  /** A new tenant whose members are the given users with their roles; its id. */
  async tenant(members: [TestUser, string][]): Promise<string> {
    let id: string = crypto.randomUUID();
    if (this.realTenants) {
      const slug = `api-test-${id.slice(0, 8)}`;
      [{ id }] = await this.sql<
        { id: string }[]
      >`insert into public.tenants (name, slug) values (${`API test ${slug}`}, ${slug}) returning id`;
    }
    this.tenantIds.push(id);
    for (const [user, role] of members) {
      await this.sql`insert into public.memberships (tenant_id, user_id, role) values (${id}, ${user.id}, ${role})`;
    }
    return id;
  }

  async cleanup(): Promise<void> {
    if (this.throwawayTable) {
      await this.sql`drop table if exists public.memberships`;
    } else if (this.tenantIds.length > 0) {
      if (this.realTenants) await this.sql`delete from public.tenants where id in ${this.sql(this.tenantIds)}`;
      else await this.sql`delete from public.memberships where tenant_id in ${this.sql(this.tenantIds)}`;
    }
  }
}
