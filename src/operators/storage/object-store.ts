import type { Readable } from "node:stream";
import type { StoreScheme } from "./object-url.js";

/** What a store knows about one object. */
export interface ObjectInfo {
  /** The key within its bucket/container (for file://, the path without the leading "/"). */
  key: string;
  size: number;
  lastModified: Date | null;
  /**
   * The store's own MD5 of the content (hex), when it keeps a trustworthy one: GCS `md5Hash`,
   * Azure `Content-MD5`, an S3 ETag that is a plain MD5 (single-part uploads); else null.
   */
  md5: string | null;
}

export interface WriteOptions {
  /** The size, when known: lets a store choose a single request over a multipart upload. */
  size?: number;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * One object store (an S3 endpoint, an Azure storage account, GCS, the local file system) with
 * the credentials of one connection. Containers (bucket, container) are named per call. Reads
 * and writes are streams: no method holds a whole object in memory.
 */
export interface ObjectStore {
  readonly scheme: StoreScheme;
  /** Objects whose key starts with `prefix`, in key order per page, recursively (no delimiter). */
  list(container: string, prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo>;
  /** The object, or null when it does not exist. */
  head(container: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null>;
  /** The object's bytes; rejects when it does not exist. */
  read(container: string, key: string, signal?: AbortSignal): Promise<Readable>;
  /** Writes the stream's bytes as the object (replacing it); multipart for large objects. */
  write(container: string, key: string, body: Readable, options?: WriteOptions): Promise<void>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(container: string, key: string, signal?: AbortSignal): Promise<void>;
  /** A copy done by the store itself (no bytes through Baton), between containers of this store. */
  copy(from: { container: string; key: string }, to: { container: string; key: string }, signal?: AbortSignal): Promise<void>;
  /** Releases sockets and clients. */
  close(): Promise<void>;
}
