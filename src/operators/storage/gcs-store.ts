import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Storage } from "@google-cloud/storage";
import type { ObjectInfo, ObjectStore, WriteOptions } from "./object-store.js";
import { loadOptional } from "../../core/optional-module.js";

export interface GcsStoreConfig {
  /** e.g. "http://127.0.0.1:4443" for an emulator; unset for Google itself. */
  apiEndpoint?: string;
  projectId?: string;
  /** A service account key (the JSON file's content); unset means Application Default Credentials. */
  credentials?: Record<string, unknown>;
  /** A path to a service account key file. */
  keyFilename?: string;
}

/** Objects at least this large (or of unknown size) are uploaded with a resumable session. */
const RESUMABLE_FROM = 8 * 1024 * 1024;

/** Google Cloud Storage through `@google-cloud/storage` (JSON API). */
export async function openGcsStore(config: GcsStoreConfig): Promise<ObjectStore> {
  const { Storage: StorageClass } = await loadOptional("Google Cloud Storage", ["@google-cloud/storage"], () => import("@google-cloud/storage"));
  const storage: Storage = new StorageClass({
    ...(config.apiEndpoint ? { apiEndpoint: config.apiEndpoint } : {}),
    ...(config.projectId ? { projectId: config.projectId } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(config.keyFilename ? { keyFilename: config.keyFilename } : {}),
  });
  const info = (m: { name?: string; size?: string | number; updated?: string; md5Hash?: string }, key: string): ObjectInfo => ({
    key: m.name ?? key,
    size: Number(m.size ?? 0),
    lastModified: m.updated ? new Date(m.updated) : null,
    md5: m.md5Hash ? Buffer.from(m.md5Hash, "base64").toString("hex") : null,
  });
  return {
    scheme: "gs",
    async *list(bucket, prefix) {
      let query: Record<string, unknown> | null = { prefix, autoPaginate: false, maxResults: 1000 };
      while (query !== null) {
        const response = await storage.bucket(bucket).getFiles(query);
        const files = response[0];
        const next: unknown = response[1];
        for (const f of files) yield info(f.metadata, f.name);
        query = (next as Record<string, unknown> | null | undefined) ?? null;
      }
    },
    async head(bucket, key) {
      try {
        const [m] = await storage.bucket(bucket).file(key).getMetadata();
        return info(m, key);
      } catch (e) {
        if ((e as { code?: number }).code === 404) return null;
        throw e;
      }
    },
    async read(bucket, key) {
      const file = storage.bucket(bucket).file(key);
      // createReadStream reports a missing object only once read: check first for a clear error.
      await file.getMetadata();
      return file.createReadStream();
    },
    async write(bucket, key, body, options: WriteOptions = {}) {
      const resumable = options.size === undefined || options.size >= RESUMABLE_FROM;
      await pipeline(
        body,
        storage
          .bucket(bucket)
          .file(key)
          .createWriteStream({ resumable, ...(options.contentType ? { contentType: options.contentType } : {}) }),
        {
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
    },
    async delete(bucket, key) {
      await storage.bucket(bucket).file(key).delete({ ignoreNotFound: true });
    },
    async copy(from, to) {
      await storage.bucket(from.container).file(from.key).copy(storage.bucket(to.container).file(to.key));
    },
    async close() {},
  };
}
