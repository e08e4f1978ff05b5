// A dump of the database alone must not reveal a provider key: neither the plaintext nor the key
// that encrypts it (that one sits in Vault, encrypted by a root key outside the database).
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../scripts/test/stack-env.ts";
import { runCommand } from "../../scripts/stack/run-command.ts";

const sql = postgres(stackEnv.dbUrl, { max: 1, onnotice: () => {} });

afterAll(async () => {
  await sql.end();
});

describe("provider keys at rest", () => {
  it("leave no plaintext key and no encryption key in a pg_dump", async () => {
    const plaintext = `sk-dump-check-${crypto.randomUUID()}`;
    const email = `dump-${crypto.randomUUID()}@example.com`;
    const [{ id: userId }] = await sql`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', ${email}, '', now(), '{}', '{}', now(), now())
      returning id`;
    await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: "authenticated", email })}, true)`;
      await tx`select * from public.set_provider_key('openai', ${plaintext})`;
    });
    const [{ decrypted }] = await sql`
      select s.decrypted_secret as decrypted
      from private.provider_key_encryption_keys k join vault.decrypted_secrets s on s.id = k.vault_secret_id
      order by k.version desc limit 1`;
    expect(decrypted).toMatch(/^[0-9a-f]{64}$/);

    const dump = await runCommand("pg_dump", ["--no-owner", "--data-only", stackEnv.dbUrl]);
    expect(dump.code).toBe(0);
    expect(dump.stdout).toContain("provider_keys");
    expect(dump.stdout).not.toContain(plaintext);
    expect(dump.stdout).not.toContain(decrypted);
    // The one place the key shows: decrypting as the service role, which the dump cannot do.
    const [{ key }] = await sql.begin(async (tx) => {
      await tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
      return tx`select private.decrypt_provider_key((select id from public.provider_keys where user_id = ${userId}), 'dump test', ${userId}::uuid) as key`;
    });
    expect(key).toBe(plaintext);
  });
});
