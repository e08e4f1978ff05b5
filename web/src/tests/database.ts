// For the server and browser tests: what only the service side may do, done as the database owner
// (DB_URL from the runner), as the API's own tests do — granting platform admin, adding a member
// without the invitation round trip. Everything else goes through the app.
import postgres from "postgres";

function database(): postgres.Sql {
  const url = process.env.DB_URL;
  if (!url) throw new Error("DB_URL is not set: run the suite through scripts/test/run-all.ts, which brings up a stack");
  return postgres(url, { max: 1, prepare: false, onnotice: () => {} });
}

async function withDatabase<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = database();
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

/** Makes the person with this email a platform admin (only the service role can). */
export function makePlatformAdmin(email: string): Promise<void> {
  return withDatabase(async (sql) => {
    const rows = await sql`update public.profiles set is_platform_admin = true where lower(email) = ${email.toLowerCase()} returning id`;
    if (rows.length !== 1) throw new Error(`no profile for ${email}`);
  });
}

/** Adds the person with this email to a company with a role. */
export function addMember(tenantId: string, email: string, role: "owner" | "admin" | "member" | "analyst"): Promise<void> {
  return withDatabase(async (sql) => {
    await sql`
      insert into public.memberships (tenant_id, user_id, role)
      select ${tenantId}, p.id, ${role}::public.member_role from public.profiles p where lower(p.email) = ${email.toLowerCase()}`;
  });
}

/** A company's status as the database has it. */
export function tenantStatus(tenantId: string): Promise<string | undefined> {
  return withDatabase(async (sql) => (await sql`select status::text from public.tenants where id = ${tenantId}`)[0]?.status);
}
