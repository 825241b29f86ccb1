import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { text as readText } from "node:stream/consumers";
import type { Connection } from "../../core/model/connection.js";
import { MissingValueError, type ValueRef, type ValueStore } from "../../core/ports/value-store.js";
import type { ObjectStore } from "./object-store.js";
import { formatObjectUrl, parseObjectUrl, type ObjectUrl } from "./object-url.js";
import { openObjectStore } from "./open-object-store.js";

/**
 * BATON_VALUE_STORE's URL as a {@link ValueStore} over the object stores of the storage
 * operators: `file:///abs/folder`, `s3://bucket/prefix`, `az://container/prefix` (also
 * `azure://`), `gs://bucket/prefix`. The URL is a prefix: a trailing "/" is implied.
 * `conn` supplies credentials (null: the SDK's defaults; file:// takes none).
 */
export async function openValueStore(url: string, conn: Connection | null): Promise<ValueStore> {
  const base = parseValueStoreUrl(url);
  const store = await openObjectStore(base.scheme, base.scheme === "file" ? null : conn);
  return new ObjectValueStore(store, base);
}

/** Parses BATON_VALUE_STORE (throws InvalidInputError naming it). */
export function parseValueStoreUrl(url: string): ObjectUrl {
  const normalized = url.trim().replace(/^azure:\/\//i, "az://");
  const u = parseObjectUrl(normalized, "BATON_VALUE_STORE");
  return { ...u, key: u.key === "" || u.key.endsWith("/") ? u.key : `${u.key}/` };
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

class ObjectValueStore implements ValueStore {
  readonly url: string;
  constructor(
    private readonly store: ObjectStore,
    private readonly base: ObjectUrl,
  ) {
    this.url = formatObjectUrl(base);
  }

  async write(key: string, text: string): Promise<ValueRef> {
    const bytes = Buffer.byteLength(text, "utf8");
    await this.store.write(this.base.container, this.base.key + key, Readable.from([Buffer.from(text, "utf8")]), {
      size: bytes,
      contentType: "application/json",
    });
    return { key, bytes, sha256: sha256(text) };
  }

  async read(ref: ValueRef): Promise<string> {
    const where = this.url + ref.key;
    let text: string;
    try {
      const head = await this.store.head(this.base.container, this.base.key + ref.key);
      if (head === null)
        throw new MissingValueError(`the value object ${where} (${ref.bytes} bytes) does not exist; it was deleted or BATON_VALUE_STORE changed`);
      text = await readText(await this.store.read(this.base.container, this.base.key + ref.key));
    } catch (e) {
      if (e instanceof MissingValueError) throw e;
      throw new MissingValueError(`cannot read the value object ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (sha256(text) !== ref.sha256) {
      throw new MissingValueError(`the value object ${where} is not the one recorded (SHA-256 differs from ${ref.sha256}); it was replaced or altered`);
    }
    return text;
  }

  async delete(key: string): Promise<void> {
    await this.store.delete(this.base.container, this.base.key + key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    let n = 0;
    for await (const o of this.store.list(this.base.container, this.base.key + prefix)) {
      await this.store.delete(this.base.container, o.key);
      n += 1;
    }
    // A folder store: the run's emptied folders go too (prefixes end with "/").
    if (this.base.scheme === "file" && prefix.endsWith("/")) await rm(`/${this.base.key}${prefix}`, { recursive: true, force: true });
    return n;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
