// Storage on the stack's asymmetric signing keys (run-all.ts runs this on the `-asymmetric`
// partner stack): the secret key acts as the service role, the publishable key alone as anon, a
// user's ES256 session token as that user under the RLS policies on storage.objects, a legacy
// HS256 token is refused, and signed URLs work with the stand-in's own URL-signing key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { jwtSecret as legacySecret } from "../keys.ts";
import { type ApiUser, databaseConnection, serviceStorage, signUp, type Sql, stackEnv, storageAs, uniqueBucket } from "../../../tests/fixtures/index.ts";

let sql: Sql;
let ana: ApiUser;
const bucket = uniqueBucket("signing-keys");
const policy = `"storage signing keys test ${process.pid}: users own their folder"`;
const readPolicy = `"storage signing keys test ${process.pid}: users read their folder"`;
const ownFolder = `bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text`;

beforeAll(async () => {
  sql = databaseConnection();
  ana = await signUp("storage-signing-keys");
  expect((await serviceStorage().createBucket(bucket, { public: false })).error).toBeNull();
  await sql.unsafe(`
    create policy ${policy} on storage.objects for insert to authenticated with check (${ownFolder});
    create policy ${readPolicy} on storage.objects for select to authenticated using (${ownFolder});`);
});

afterAll(async () => {
  await sql.unsafe(`drop policy if exists ${policy} on storage.objects; drop policy if exists ${readPolicy} on storage.objects;`);
  await serviceStorage().emptyBucket(bucket);
  await serviceStorage().deleteBucket(bucket);
  await sql`delete from auth.users where id = ${ana.id}`;
  await sql.end();
});

function refusal(error: unknown) {
  const { status, statusCode, message } = error as { status: number; statusCode: string; message: string };
  return { status, statusCode, message };
}

describe("storage on signing keys", () => {
  it("runs on publishable and secret keys, not legacy JWT keys", () => {
    expect(stackEnv.publishableKey).toMatch(/^sb_publishable_/);
    expect(process.env.SECRET_KEY).toMatch(/^sb_secret_/);
  });

  it("lets a user with an ES256 session upload to their folder and read it back, and refuses the publishable key alone", async () => {
    const path = `${ana.id}/signed-keys.txt`;
    expect((await storageAs(ana.token).from(bucket).upload(path, "es256")).error).toBeNull();
    expect(await (await storageAs(ana.token).from(bucket).download(path)).data!.text()).toBe("es256");
    expect(refusal((await storageAs().from(bucket).upload(`${ana.id}/anon.txt`, "x")).error)).toEqual({
      status: 400,
      statusCode: "403",
      message: "new row violates row-level security policy",
    });
    // The secret key lists what RLS would hide from users.
    expect((await serviceStorage().from(bucket).list(ana.id)).data!.map((entry) => entry.name)).toEqual(["signed-keys.txt"]);
  });

  it("refuses a legacy HS256 token once the project signs with its own key", async () => {
    const legacy = await new SignJWT({ sub: ana.id, role: "authenticated", aud: "authenticated" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime("1h")
      .sign(new TextEncoder().encode(legacySecret));
    const answer = await storageAs(legacy).from(bucket).list(ana.id);
    expect(refusal(answer.error)).toMatchObject({ status: 400, statusCode: "403" });
  });

  it("signs a download URL, with the stand-in's own URL-signing key, that works without a session", async () => {
    const path = `${ana.id}/shared.txt`;
    await storageAs(ana.token).from(bucket).upload(path, "shared on signing keys");
    const { data, error } = await storageAs(ana.token).from(bucket).createSignedUrl(path, 60);
    expect(error).toBeNull();
    const answer = await fetch(data!.signedUrl);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("shared on signing keys");
  });
});
