// Where the Storage stand-in keeps file contents: `.stack/<instance>/storage/<bucket>/<object
// name>/<version>`, the layout of supabase/storage's file backend (src/storage/backend/file.ts,
// `withOptionalVersion`): each upload writes a new version beside the old one, the database row
// then points at it, and the old version's file is removed. Paths are resolved and checked to
// stay under the root, as the backend's resolveSecurePath does.
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, rmdir, stat, writeFile, copyFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { storageErrors } from "./storage-errors.ts";

export interface StoredFile {
  size: number;
  /** S3's ETag: the MD5 of the content in double quotes. */
  eTag: string;
  lastModified: Date;
}

export class ObjectFiles {
  constructor(readonly root: string) {}

  private pathOf(bucketId: string, name: string, version: string): string {
    // S3 keys have no `.`/`..` segments to resolve; on disk they would reach outside the object's
    // folder (another bucket's files, or beyond the root), so such names are refused here.
    const segments = [bucketId, ...name.split("/"), version];
    if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) throw storageErrors.invalidKey(name);
    const root = resolve(this.root);
    const path = resolve(root, ...segments);
    if (!path.startsWith(root + sep)) throw storageErrors.invalidKey(name);
    return path;
  }

  async write(bucketId: string, name: string, version: string, content: Buffer): Promise<StoredFile> {
    const path = this.pathOf(bucketId, name, version);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    const { mtime } = await stat(path);
    return { size: content.length, eTag: `"${createHash("md5").update(content).digest("hex")}"`, lastModified: mtime };
  }

  /** The content of a version, or null when its file is gone. */
  async read(bucketId: string, name: string, version: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(bucketId, name, version));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async copy(from: { bucketId: string; name: string; version: string }, to: { bucketId: string; name: string; version: string }): Promise<void> {
    const target = this.pathOf(to.bucketId, to.name, to.version);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(this.pathOf(from.bucketId, from.name, from.version), target);
  }

  /** Removes a version's file and the folders it leaves empty; a missing file is no error. */
  async remove(bucketId: string, name: string, version: string | null): Promise<void> {
    if (!version) return;
    const path = this.pathOf(bucketId, name, version);
    await rm(path, { force: true });
    const bucketFolder = resolve(this.root, bucketId);
    for (let folder = dirname(path); folder.startsWith(bucketFolder + sep); folder = dirname(folder)) {
      try {
        await rmdir(folder);
      } catch {
        break; // not empty, or already gone
      }
    }
  }

  /** Removes a bucket's folder with everything left in it. */
  async removeBucket(bucketId: string): Promise<void> {
    const root = resolve(this.root);
    const path = resolve(root, bucketId);
    if (path.startsWith(root + sep)) await rm(path, { recursive: true, force: true });
  }
}

export function storageRoot(stateDir: string): string {
  return join(stateDir, "storage");
}
