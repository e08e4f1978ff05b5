// Moving, copying and signed URLs through supabase-js against the Storage stand-in: the caller's
// RLS policies decide at move, copy and signing time; a signed URL then works for anyone until it
// expires, for that one object and that one use (download or upload).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUsers,
  databaseConnection,
  deleteUsers,
  eventually,
  serviceStorage,
  type Sql,
  stackEnv,
  storageAs,
  storedFilesOf,
  type TestUser,
  uniqueBucket,
  userToken,
} from "../../../tests/fixtures/index.ts";
import { readStorageConfig, ramInBytes } from "../storage/storage-config.ts";

let sql: Sql;
let ana: TestUser;
let bruno: TestUser;
let anaToken: string;
let brunoToken: string;
const bucket = uniqueBucket("transfers");
const archive = uniqueBucket("transfers-archive");
const policyPrefix = `storage transfers test ${process.pid}`;
const ownFolder = `bucket_id in ('${bucket}', '${archive}') and (storage.foldername(name))[1] = (select auth.uid())::text`;
const policies = {
  select: `"${policyPrefix}: read"`,
  insert: `"${policyPrefix}: upload"`,
  update: `"${policyPrefix}: move"`,
  delete: `"${policyPrefix}: remove"`,
};

beforeAll(async () => {
  sql = databaseConnection();
  [ana, bruno] = await createUsers(sql, 2, "transfers");
  anaToken = await userToken(ana);
  brunoToken = await userToken(bruno);
  const service = serviceStorage();
  await service.createBucket(bucket, { public: false });
  await service.createBucket(archive, { public: false });
  await sql.unsafe(`
    create policy ${policies.select} on storage.objects for select to authenticated using (${ownFolder});
    create policy ${policies.insert} on storage.objects for insert to authenticated with check (${ownFolder});
    create policy ${policies.update} on storage.objects for update to authenticated using (${ownFolder}) with check (${ownFolder});
    create policy ${policies.delete} on storage.objects for delete to authenticated using (${ownFolder});`);
});

afterAll(async () => {
  await sql.unsafe(Object.values(policies).map((name) => `drop policy if exists ${name} on storage.objects;`).join("\n"));
  const service = serviceStorage();
  for (const id of [bucket, archive]) {
    await service.emptyBucket(id);
    await service.deleteBucket(id);
  }
  await deleteUsers(sql, [ana, bruno]);
  await sql.end();
});

function refusal(error: unknown) {
  const { status, statusCode, message } = error as { status: number; statusCode: string; message: string };
  return { status, statusCode, message };
}

describe("move", () => {
  it("moves an object within the user's folder and to another bucket, with its file", async () => {
    const storage = storageAs(anaToken);
    await storage.from(bucket).upload(`${ana.id}/draft.txt`, "moving");
    const moved = await storage.from(bucket).move(`${ana.id}/draft.txt`, `${ana.id}/final.txt`);
    expect(moved.error).toBeNull();
    expect(moved.data).toMatchObject({ message: "Successfully moved", Key: `${ana.id}/final.txt` });
    expect(await (await storage.from(bucket).download(`${ana.id}/final.txt`)).data!.text()).toBe("moving");
    expect(refusal((await storage.from(bucket).download(`${ana.id}/draft.txt`)).error).statusCode).toBe("404");
    expect(existsSync(join(storedFilesOf(bucket), ana.id, "draft.txt"))).toBe(false);

    expect((await storage.from(bucket).move(`${ana.id}/final.txt`, `${ana.id}/kept.txt`, { destinationBucket: archive })).error).toBeNull();
    expect(await (await storage.from(archive).download(`${ana.id}/kept.txt`)).data!.text()).toBe("moving");
    const [row] = await sql`select version from storage.objects where bucket_id = ${archive} and name = ${`${ana.id}/kept.txt`}`;
    expect(readdirSync(join(storedFilesOf(archive), ana.id, "kept.txt"))).toEqual([row.version]);
  });

  it("refuses to move another user's object, or one's own into another user's folder", async () => {
    await storageAs(anaToken).from(bucket).upload(`${ana.id}/mine.txt`, "ana's");
    expect(refusal((await storageAs(brunoToken).from(bucket).move(`${ana.id}/mine.txt`, `${bruno.id}/taken.txt`)).error)).toEqual({
      status: 400,
      statusCode: "404",
      message: "Object not found",
    });
    expect(refusal((await storageAs(anaToken).from(bucket).move(`${ana.id}/mine.txt`, `${bruno.id}/gift.txt`)).error)).toEqual({
      status: 400,
      statusCode: "403",
      message: "new row violates row-level security policy",
    });
    expect(await (await storageAs(anaToken).from(bucket).download(`${ana.id}/mine.txt`)).data!.text()).toBe("ana's");
  });
});

describe("copy", () => {
  it("copies an object with its metadata, leaving the source, and refuses a copy into another user's folder", async () => {
    const storage = storageAs(anaToken).from(bucket);
    await storage.upload(`${ana.id}/original.txt`, "twice", { contentType: "text/markdown" });
    const copied = await storage.copy(`${ana.id}/original.txt`, `${ana.id}/copy.txt`);
    expect(copied).toEqual({ data: { path: `${bucket}/${ana.id}/copy.txt` }, error: null });
    const download = await storage.download(`${ana.id}/copy.txt`);
    expect(await download.data!.text()).toBe("twice");
    expect(download.data!.type).toBe("text/markdown");
    expect(await (await storage.download(`${ana.id}/original.txt`)).data!.text()).toBe("twice");

    expect(refusal((await storage.copy(`${ana.id}/original.txt`, `${ana.id}/copy.txt`)).error).statusCode).toBe("409");
    expect(refusal((await storage.copy(`${ana.id}/original.txt`, `${bruno.id}/copy.txt`)).error)).toEqual({
      status: 400,
      statusCode: "403",
      message: "new row violates row-level security policy",
    });
    expect(refusal((await storageAs(brunoToken).from(bucket).copy(`${ana.id}/original.txt`, `${bruno.id}/copy.txt`)).error).statusCode).toBe("404");
  });
});

describe("signed download URLs", () => {
  it("signs a URL for an object the user can see, which then works for anyone without a session", async () => {
    const storage = storageAs(anaToken).from(bucket);
    await storage.upload(`${ana.id}/report.txt`, "signed content", { contentType: "text/plain" });
    const { data, error } = await storage.createSignedUrl(`${ana.id}/report.txt`, 60);
    expect(error).toBeNull();
    expect(data!.signedUrl).toMatch(new RegExp(`^${stackEnv.apiUrl}/storage/v1/object/sign/${bucket}/${ana.id}/report\\.txt\\?token=`));

    const answer = await fetch(data!.signedUrl);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("signed content");
    expect(new Date(answer.headers.get("expires")!).getTime()).toBeGreaterThan(Date.now());

    const asDownload = await storage.createSignedUrl(`${ana.id}/report.txt`, 60, { download: "report-2026.txt" });
    expect((await fetch(asDownload.data!.signedUrl)).headers.get("content-disposition")).toBe("attachment; filename=report-2026.txt; filename*=UTF-8''report-2026.txt");
  });

  it("refuses to sign what the user cannot see, and signs in bulk only what they can", async () => {
    await storageAs(anaToken).from(bucket).upload(`${ana.id}/bulk.txt`, "bulk");
    expect(refusal((await storageAs(brunoToken).from(bucket).createSignedUrl(`${ana.id}/bulk.txt`, 60)).error).statusCode).toBe("404");
    const { data } = await storageAs(anaToken).from(bucket).createSignedUrls([`${ana.id}/bulk.txt`, `${bruno.id}/none.txt`], 60);
    expect(data![0]).toMatchObject({ error: null, path: `${ana.id}/bulk.txt` });
    expect(data![1]).toMatchObject({ error: "Either the object does not exist or you do not have access to it", path: `${bruno.id}/none.txt`, signedUrl: null });
    expect(await (await fetch(data![0].signedUrl!)).text()).toBe("bulk");
  });

  it("refuses an expired URL, a URL for another object, and a tampered token", async () => {
    const storage = storageAs(anaToken).from(bucket);
    await storage.upload(`${ana.id}/short.txt`, "brief");
    await storage.upload(`${ana.id}/other.txt`, "other");
    // A URL that lives long enough for the first two refusals (under load a 1 s one had expired
    // before the "another object" check, which then said InvalidJWT), and a 1 s one to expire.
    const { data: lasting } = await storage.createSignedUrl(`${ana.id}/short.txt`, 600);
    const { data } = await storage.createSignedUrl(`${ana.id}/short.txt`, 1);
    const token = new URL(lasting!.signedUrl).searchParams.get("token")!;

    const elsewhere = await fetch(`${stackEnv.apiUrl}/storage/v1/object/sign/${bucket}/${ana.id}/other.txt?token=${token}`);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({ statusCode: "400", error: "InvalidSignature", message: "Invalid signature" });

    // Not the last character: in base64url it carries padding bits, so a change there can decode to
    // the very same signature (and pass, as it would on hosted).
    const flipped = `${token.slice(0, -5)}${token.at(-5) === "A" ? "B" : "A"}${token.slice(-4)}`;
    const tampered = await fetch(lasting!.signedUrl.replace(token, flipped));
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ statusCode: "400", error: "InvalidJWT" });

    // The token's exp is whole seconds: wait for the clock to pass it rather than a fixed delay.
    const shortToken = new URL(data!.signedUrl).searchParams.get("token")!;
    const { exp } = JSON.parse(Buffer.from(shortToken.split(".")[1], "base64url").toString()) as { exp: number };
    await eventually(() => Date.now() > exp * 1000 + 1000, 10_000, "the signed URL's expiry");
    const expired = await fetch(data!.signedUrl);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toMatchObject({ statusCode: "400", error: "InvalidJWT", message: '"exp" claim timestamp check failed' });
  });
});

describe("signed upload URLs", () => {
  it("lets the holder of a signed upload URL store the file once, as the user who signed it", async () => {
    const storage = storageAs(anaToken).from(bucket);
    const path = `${ana.id}/from-browser.txt`;
    const signed = await storage.createSignedUploadUrl(path);
    expect(signed.error).toBeNull();
    const upload = await storageAs().from(bucket).uploadToSignedUrl(path, signed.data!.token, "uploaded without a session", { contentType: "text/plain" });
    expect(upload.error).toBeNull();
    expect(upload.data).toMatchObject({ path, fullPath: `${bucket}/${path}` });
    expect(await (await storage.download(path)).data!.text()).toBe("uploaded without a session");
    const [row] = await sql`select owner from storage.objects where bucket_id = ${bucket} and name = ${path}`;
    expect(row.owner).toBe(ana.id);

    const again = await storageAs().from(bucket).uploadToSignedUrl(path, signed.data!.token, "second time");
    expect(refusal(again.error)).toEqual({ status: 400, statusCode: "409", message: "The resource already exists" });
  });

  it("refuses to sign an upload into another user's folder, and a download token used to upload", async () => {
    expect(refusal((await storageAs(brunoToken).from(bucket).createSignedUploadUrl(`${ana.id}/planted.txt`)).error)).toEqual({
      status: 400,
      statusCode: "403",
      message: "new row violates row-level security policy",
    });
    const storage = storageAs(anaToken).from(bucket);
    await storage.upload(`${ana.id}/read-only.txt`, "keep");
    const { data } = await storage.createSignedUrl(`${ana.id}/read-only.txt`, 60);
    const downloadToken = new URL(data!.signedUrl).searchParams.get("token")!;
    const misuse = await storageAs().from(bucket).uploadToSignedUrl(`${ana.id}/read-only.txt`, downloadToken, "overwritten");
    expect(refusal(misuse.error)).toEqual({ status: 400, statusCode: "400", message: "Token is not scoped for upload" });
  });
});

describe("the project's file size limit (supabase/config.toml)", () => {
  it("reads [storage] file_size_limit in the CLI's binary units", () => {
    expect(ramInBytes("50MiB")).toBe(50 * 1024 * 1024);
    expect(ramInBytes("50MB")).toBe(50 * 1024 * 1024);
    expect(ramInBytes("512KiB")).toBe(512 * 1024);
    expect(ramInBytes("1.5GB")).toBe(1.5 * 1024 ** 3);
    expect(ramInBytes("lots")).toBeNull();
    expect(readStorageConfig('[storage]\nfile_size_limit = "5MiB"\n').fileSizeLimit).toBe(5 * 1024 * 1024);
  });

  it("refuses a bucket whose own limit is above the project's", async () => {
    const answer = await serviceStorage().createBucket(uniqueBucket("huge"), { public: false, fileSizeLimit: "60MB" });
    expect(refusal(answer.error)).toEqual({ status: 400, statusCode: "413", message: "The object exceeded the maximum allowed size" });
  });
});
