// The Storage stand-in through supabase-js, as apps use it: buckets (service role), upload,
// download, list and remove as signed-in users whose RLS policies on storage.objects decide, with
// the hosted API's refusals — `{ statusCode, error, message }` answered with HTTP 400.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUsers,
  databaseConnection,
  deleteUsers,
  serviceStorage,
  type Sql,
  stackEnv,
  storageAs,
  storedFilesOf,
  type TestUser,
  uniqueBucket,
  userToken,
  waitFor,
} from "../../../tests/fixtures/index.ts";

let sql: Sql;
let ana: TestUser;
let bruno: TestUser;
let anaToken: string;
let brunoToken: string;
const bucket = uniqueBucket("contract");
const publicBucket = uniqueBucket("contract-public");
const policyPrefix = `storage test ${process.pid}`;

// Each user owns the folder named after their id, through the helpers policies use on Supabase.
const ownFolder = `bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text`;

beforeAll(async () => {
  sql = databaseConnection();
  [ana, bruno] = await createUsers(sql, 2, "storage");
  anaToken = await userToken(ana);
  brunoToken = await userToken(bruno);
  const service = serviceStorage();
  expect((await service.createBucket(bucket, { public: false })).error).toBeNull();
  expect((await service.createBucket(publicBucket, { public: true })).error).toBeNull();
  await sql.unsafe(`
    create policy "${policyPrefix}: users read their folder" on storage.objects for select to authenticated using (${ownFolder});
    create policy "${policyPrefix}: users upload to their folder" on storage.objects for insert to authenticated with check (${ownFolder});
    create policy "${policyPrefix}: users replace in their folder" on storage.objects for update to authenticated using (${ownFolder});
    create policy "${policyPrefix}: users remove from their folder" on storage.objects for delete to authenticated using (${ownFolder});`);
});

afterAll(async () => {
  await sql.unsafe(`
    drop policy if exists "${policyPrefix}: users read their folder" on storage.objects;
    drop policy if exists "${policyPrefix}: users upload to their folder" on storage.objects;
    drop policy if exists "${policyPrefix}: users replace in their folder" on storage.objects;
    drop policy if exists "${policyPrefix}: users remove from their folder" on storage.objects;`);
  const service = serviceStorage();
  for (const id of [bucket, publicBucket]) {
    await service.emptyBucket(id);
    await service.deleteBucket(id);
  }
  await deleteUsers(sql, [ana, bruno]);
  await sql.end();
});

/** The refusal as storage-js reports it: HTTP status, the body's statusCode and message. */
function refusal(error: unknown) {
  const { status, statusCode, message } = error as { status: number; statusCode: string; message: string };
  return { status, statusCode, message };
}

describe("buckets", () => {
  it("lets the service role create, read and list buckets with their limits", async () => {
    const service = serviceStorage();
    const limited = uniqueBucket("limited");
    expect(await service.createBucket(limited, { public: false, fileSizeLimit: "1KB", allowedMimeTypes: ["text/plain"] })).toEqual({ data: { name: limited }, error: null });
    const { data } = await service.getBucket(limited);
    expect(data).toMatchObject({ id: limited, name: limited, public: false, file_size_limit: 1000, allowed_mime_types: ["text/plain"], owner: null });
    const listed = await service.listBuckets();
    expect(listed.data?.map((found) => found.id)).toContain(limited);
    expect(await service.deleteBucket(limited)).toEqual({ data: { message: "Successfully deleted" }, error: null });
  });

  it("refuses a second bucket of the same name, and one a signed-in user has no policy to create", async () => {
    expect(refusal((await serviceStorage().createBucket(bucket)).error)).toEqual({ status: 400, statusCode: "409", message: "The resource already exists" });
    expect(refusal((await storageAs(anaToken).createBucket(uniqueBucket("mine"))).error)).toEqual({
      status: 400,
      statusCode: "403",
      message: "new row violates row-level security policy",
    });
    // RLS hides every bucket from a user without a select policy on storage.buckets.
    expect((await storageAs(anaToken).listBuckets()).data).toEqual([]);
  });

  it("refuses to delete a bucket that still holds objects", async () => {
    const service = serviceStorage();
    const busy = uniqueBucket("busy");
    await service.createBucket(busy);
    await service.from(busy).upload("file.txt", "content");
    expect(refusal((await service.deleteBucket(busy)).error)).toEqual({ status: 400, statusCode: "409", message: "The bucket you tried to delete is not empty" });
    await service.emptyBucket(busy);
    expect((await service.deleteBucket(busy)).error).toBeNull();
  });

  it("lets only the service role empty a bucket (403)", async () => {
    const answer = await storageAs(anaToken).emptyBucket(bucket);
    expect(refusal(answer.error)).toEqual({ status: 403, statusCode: "403", message: "Access denied: Invalid role" });
  });
});

describe("objects as a signed-in user under RLS", () => {
  it("uploads into the user's folder, records the owner and metadata, keeps the file on disk and downloads it back", async () => {
    const path = `${ana.id}/notes/hello.txt`;
    const upload = await storageAs(anaToken).from(bucket).upload(path, "olá, mundo", { contentType: "text/plain;charset=UTF-8" });
    expect(upload.error).toBeNull();
    expect(upload.data).toMatchObject({ path, fullPath: `${bucket}/${path}` });

    const [row] = await sql`select id, owner, owner_id, version, metadata from storage.objects where bucket_id = ${bucket} and name = ${path}`;
    expect(row).toMatchObject({ id: upload.data!.id, owner: ana.id, owner_id: ana.id });
    expect(row.metadata).toMatchObject({ size: Buffer.byteLength("olá, mundo"), mimetype: "text/plain;charset=UTF-8", cacheControl: "max-age=3600" });
    expect(readdirSync(join(storedFilesOf(bucket), ana.id, "notes", "hello.txt"))).toEqual([row.version]);

    const download = await storageAs(anaToken).from(bucket).download(path);
    expect(download.error).toBeNull();
    expect(await download.data!.text()).toBe("olá, mundo");
    expect(download.data!.type).toBe("text/plain;charset=utf-8");
  });

  it("answers an object's details and whether it exists, to the user who can see it only", async () => {
    const path = `${ana.id}/details.txt`;
    await storageAs(anaToken).from(bucket).upload(path, "12345", { contentType: "text/csv", metadata: { source: "import" } });
    const { data, error } = await storageAs(anaToken).from(bucket).info(path);
    expect(error).toBeNull();
    expect(data).toMatchObject({ name: path, bucketId: bucket, size: 5, contentType: "text/csv", cacheControl: "max-age=3600", metadata: { source: "import" } });
    expect((await storageAs(anaToken).from(bucket).exists(path)).data).toBe(true);
    expect((await storageAs(brunoToken).from(bucket).exists(path)).data).toBe(false);
    expect(refusal((await storageAs(brunoToken).from(bucket).info(path)).error).statusCode).toBe("404");
  });

  it("refuses an upload into another user's folder, and hides the object from them", async () => {
    const path = `${ana.id}/private.txt`;
    expect((await storageAs(anaToken).from(bucket).upload(path, "ana's")).error).toBeNull();

    const intrusion = await storageAs(brunoToken).from(bucket).upload(`${ana.id}/planted.txt`, "bruno's");
    expect(refusal(intrusion.error)).toEqual({ status: 400, statusCode: "403", message: "new row violates row-level security policy" });
    const overwrite = await storageAs(brunoToken).from(bucket).upload(path, "bruno's", { upsert: true });
    expect(refusal(overwrite.error).statusCode).toBe("403");

    expect(refusal((await storageAs(brunoToken).from(bucket).download(path)).error)).toEqual({ status: 400, statusCode: "404", message: "Object not found" });
    expect((await storageAs(brunoToken).from(bucket).list(ana.id)).data).toEqual([]);
    expect((await storageAs(brunoToken).from(bucket).remove([path])).data).toEqual([]);

    const stillThere = await storageAs(anaToken).from(bucket).download(path);
    expect(await stillThere.data!.text()).toBe("ana's");
  });

  it("lists one folder level with files and sub-folders", async () => {
    const storage = storageAs(anaToken).from(bucket);
    await storage.upload(`${ana.id}/list/a.txt`, "a");
    await storage.upload(`${ana.id}/list/b.txt`, "b");
    await storage.upload(`${ana.id}/list/sub/c.txt`, "c");
    const { data, error } = await storage.list(`${ana.id}/list`);
    expect(error).toBeNull();
    expect(data!.map((entry) => [entry.name, entry.id === null])).toEqual([["a.txt", false], ["b.txt", false], ["sub", true]]);
    expect(data![0].metadata).toMatchObject({ size: 1 });
  });

  it("refuses a second upload to the same path unless it upserts, which replaces the content and its file", async () => {
    const storage = storageAs(anaToken).from(bucket);
    const path = `${ana.id}/replace.txt`;
    await storage.upload(path, "first");
    expect(refusal((await storage.upload(path, "second")).error)).toEqual({ status: 400, statusCode: "409", message: "The resource already exists" });

    expect((await storage.upload(path, "second", { upsert: true })).error).toBeNull();
    expect(await (await storage.download(path)).data!.text()).toBe("second");
    const [row] = await sql`select version from storage.objects where bucket_id = ${bucket} and name = ${path}`;
    expect(readdirSync(join(storedFilesOf(bucket), ana.id, "replace.txt"))).toEqual([row.version]);

    expect((await storage.update(path, "third")).error).toBeNull();
    expect(await (await storage.download(path)).data!.text()).toBe("third");
  });

  it("keeps one row and one file when several uploads replace the same object at once", async () => {
    const storage = storageAs(anaToken).from(bucket);
    const path = `${ana.id}/contended.txt`;
    const contents = Array.from({ length: 4 }, (_, index) => `version ${index}`);
    // Hold the object's lock (Storage's advisory lock on "<bucket>/<name>") so every upload reaches
    // its final write at once and has to take turns there, as concurrent writers do.
    const held = sql.reserve();
    const holder = await held;
    await holder`begin`;
    await holder`select pg_advisory_xact_lock(hashtextextended(${`${bucket}/${path}`}, 0))`;
    const answers = Promise.all(contents.map((content) => storage.upload(path, content, { upsert: true })));
    try {
      await waitFor(async () => {
        const [{ waiting }] = await sql`select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted`;
        return waiting === contents.length;
      }, "every upload waiting for the object's lock", 30_000);
    } finally {
      await holder`commit`;
      holder.release();
    }
    expect((await answers).map((answer) => answer.error)).toEqual(contents.map(() => null));

    const rows = await sql`select version from storage.objects where bucket_id = ${bucket} and name = ${path}`;
    expect(rows).toHaveLength(1);
    expect(readdirSync(join(storedFilesOf(bucket), ana.id, "contended.txt"))).toEqual([rows[0].version]);
    expect(contents).toContain(await (await storage.download(path)).data!.text());
  });

  it("answers a byte range of an object (206), and refuses a range past its end (416)", async () => {
    const path = `${ana.id}/ranged.txt`;
    await storageAs(anaToken).from(bucket).upload(path, "0123456789");
    const url = `${stackEnv.apiUrl}/storage/v1/object/${bucket}/${path}`;
    const headers = { authorization: `Bearer ${anaToken}`, apikey: stackEnv.clientKey };
    const middle = await fetch(url, { headers: { ...headers, range: "bytes=2-5" } });
    expect(middle.status).toBe(206);
    expect(middle.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(await middle.text()).toBe("2345");
    const tail = await fetch(url, { headers: { ...headers, range: "bytes=-3" } });
    expect(await tail.text()).toBe("789");
    const beyond = await fetch(url, { headers: { ...headers, range: "bytes=20-30" } });
    expect(beyond.status).toBe(416);
    expect(await beyond.json()).toMatchObject({ statusCode: "416", error: "invalid_range", message: "invalid range provided" });
  });

  it("removes the user's objects, rows and files, answering what it removed", async () => {
    const storage = storageAs(anaToken).from(bucket);
    const path = `${ana.id}/gone.txt`;
    await storage.upload(path, "bye");
    const removed = await storage.remove([path, `${ana.id}/never-existed.txt`]);
    expect(removed.error).toBeNull();
    expect(removed.data!.map((object) => object.name)).toEqual([path]);
    expect(await sql`select 1 from storage.objects where bucket_id = ${bucket} and name = ${path}`).toHaveLength(0);
    expect(existsSync(join(storedFilesOf(bucket), ana.id, "gone.txt"))).toBe(false);
  });
});

describe("refusals", () => {
  it("answers 'Bucket not found' for a bucket that does not exist", async () => {
    const answer = await storageAs(anaToken).from(uniqueBucket("missing")).upload(`${ana.id}/x.txt`, "x");
    expect(refusal(answer.error)).toEqual({ status: 400, statusCode: "404", message: "Bucket not found" });
  });

  it("refuses the client key alone (anon), which no policy admits", async () => {
    const answer = await storageAs().from(bucket).upload(`${ana.id}/anon.txt`, "x");
    expect(refusal(answer.error)).toEqual({ status: 400, statusCode: "403", message: "new row violates row-level security policy" });
    expect(refusal((await storageAs().from(bucket).download(`${ana.id}/private.txt`)).error).statusCode).toBe("404");
  });

  it("refuses a request with no token at all, and one with a forged token", async () => {
    const bare = await fetch(`${stackEnv.apiUrl}/storage/v1/object/list/${bucket}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prefix: "" }),
    });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ statusCode: "403", error: "Unauthorized" });

    const forged = await userToken(ana, {}, { secret: "not-the-project-secret-not-the-project-secret" });
    const answer = await storageAs(forged).from(bucket).list(ana.id);
    expect(refusal(answer.error)).toEqual({ status: 400, statusCode: "403", message: "signature verification failed" });
  });

  it("refuses a name whose folders would climb out of its own on disk, writing nothing", async () => {
    const answer = await fetch(`${stackEnv.apiUrl}/storage/v1/object/${bucket}/${ana.id}%2F..%2F..%2F${publicBucket}%2Fplanted.txt`, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${anaToken}`, apikey: stackEnv.clientKey },
      body: "climbing",
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ statusCode: "400", error: "InvalidKey" });
    expect(existsSync(join(storedFilesOf(publicBucket), "planted.txt"))).toBe(false);
  });

  it("refuses a body that is not what the route takes", async () => {
    const answer = await fetch(`${stackEnv.apiUrl}/storage/v1/object/list/${bucket}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${anaToken}`, apikey: stackEnv.clientKey },
      body: JSON.stringify({ limit: "ten" }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ statusCode: "400", message: "body must have required property 'prefix'" });
  });
});

describe("public buckets", () => {
  it("serves a public bucket's object to anyone at its public URL, and no private one", async () => {
    const service = serviceStorage();
    await service.from(publicBucket).upload("logo.txt", "public content", { contentType: "text/plain" });
    const publicUrl = storageAs().from(publicBucket).getPublicUrl("logo.txt").data.publicUrl;
    const answer = await fetch(publicUrl);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("public content");
    expect(answer.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);

    const privateAnswer = await fetch(storageAs().from(bucket).getPublicUrl(`${ana.id}/private.txt`).data.publicUrl);
    expect(privateAnswer.status).toBe(400);
    expect(await privateAnswer.json()).toMatchObject({ statusCode: "404", message: "Bucket not found" });
  });
});

describe("limits", () => {
  it("refuses a file over the bucket's size limit (413) and a type it does not allow (415)", async () => {
    const service = serviceStorage();
    const limited = uniqueBucket("limits");
    await service.createBucket(limited, { public: false, fileSizeLimit: 10, allowedMimeTypes: ["text/*"] });
    const storage = service.from(limited);
    expect(refusal((await storage.upload("big.txt", "x".repeat(11), { contentType: "text/plain" })).error)).toEqual({
      status: 400,
      statusCode: "413",
      message: "The object exceeded the maximum allowed size",
    });
    expect(refusal((await storage.upload("big.txt", new Blob(["x".repeat(11)], { type: "text/plain" }))).error).statusCode).toBe("413");
    expect(refusal((await storage.upload("image.png", "tiny", { contentType: "image/png" })).error)).toEqual({
      status: 400,
      statusCode: "415",
      message: "mime type image/png is not supported",
    });
    expect((await storage.upload("ok.txt", "x".repeat(10), { contentType: "text/plain" })).error).toBeNull();
    await service.emptyBucket(limited);
    await service.deleteBucket(limited);
  });
});
