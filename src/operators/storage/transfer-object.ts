import { pipeline } from "node:stream/promises";
import { BatonError } from "../../core/errors.js";
import { digestOf, HashingStream, type Digest } from "./hashing-stream.js";
import type { ObjectInfo, ObjectStore } from "./object-store.js";

/** One side of a transfer: a store, a container in it, a key. */
export interface ObjectSide {
  store: ObjectStore;
  container: string;
  key: string;
  /** For messages: the object's URL. */
  url: string;
}

/**
 * How the destination is verified: `auto` compares the destination store's MD5 with the one
 * computed while streaming when the store keeps one, and reads the object back (SHA-256)
 * otherwise; `read-back` always reads it back.
 */
export type VerifyMode = "auto" | "read-back";

export interface TransferResult extends Digest {
  /** How the destination was checked. */
  verifiedBy: "provider-md5" | "read-back";
  /** Whether the store copied the bytes itself (same store on both sides). */
  serverSide: boolean;
}

/** The bytes read or written do not match: the destination was deleted. Retries apply. */
export class ChecksumMismatchError extends BatonError {}

/**
 * Copies one object from `from` to `to`, streaming (never the whole object in memory), hashing
 * SHA-256 and MD5 on the way. The source is checked against its store's MD5 and size (`info`),
 * the destination per `verify`; on any mismatch or failure the destination is deleted and the
 * call rejects. When both sides are the same store instance the store copies server-side and
 * the source is read once for the digests.
 */
export async function transferObject(from: ObjectSide, info: ObjectInfo, to: ObjectSide, verify: VerifyMode, signal?: AbortSignal): Promise<TransferResult> {
  const serverSide = from.store === to.store;
  let wrote = false;
  let hasher: HashingStream | null = null;
  try {
    let digest: Digest;
    if (serverSide) {
      digest = await digestOf(await from.store.read(from.container, from.key, signal));
      checkSource(from, info, digest);
      wrote = true;
      await to.store.copy({ container: from.container, key: from.key }, { container: to.container, key: to.key }, signal);
    } else {
      const through = (hasher = new HashingStream());
      const source = await from.store.read(from.container, from.key, signal);
      // A failing source destroys `through`, which fails the write; the reverse is handled below.
      const piped = pipeline(source, through).catch((e: unknown) => {
        through.destroy(e instanceof Error ? e : new Error(String(e)));
      });
      wrote = true;
      await to.store.write(to.container, to.key, through, { size: info.size, ...(signal ? { signal } : {}) });
      await piped;
      digest = through.digest();
      checkSource(from, info, digest);
    }
    const verifiedBy = await checkDestination(to, digest, verify, signal);
    return { ...digest, verifiedBy, serverSide };
  } catch (e) {
    hasher?.destroy();
    if (wrote) await to.store.delete(to.container, to.key).catch(() => {});
    throw e;
  }
}

function checkSource(from: ObjectSide, info: ObjectInfo, d: Digest): void {
  if (d.size !== info.size) throw new ChecksumMismatchError(`${from.url}: read ${d.size} bytes, but the store lists ${info.size}`);
  if (info.md5 !== null && info.md5 !== d.md5)
    throw new ChecksumMismatchError(`${from.url}: the bytes read have MD5 ${d.md5}, but the store lists ${info.md5}`);
}

async function checkDestination(to: ObjectSide, d: Digest, verify: VerifyMode, signal?: AbortSignal): Promise<TransferResult["verifiedBy"]> {
  const head = await to.store.head(to.container, to.key, signal);
  if (head === null) throw new ChecksumMismatchError(`${to.url}: missing after the write`);
  if (head.size !== d.size) throw new ChecksumMismatchError(`${to.url}: holds ${head.size} bytes, ${d.size} were written`);
  if (verify === "auto" && head.md5 !== null) {
    if (head.md5 !== d.md5) throw new ChecksumMismatchError(`${to.url}: the store's MD5 ${head.md5} differs from the source's ${d.md5}`);
    return "provider-md5";
  }
  const back = await digestOf(await to.store.read(to.container, to.key, signal));
  if (back.sha256 !== d.sha256 || back.size !== d.size) {
    throw new ChecksumMismatchError(`${to.url}: read back SHA-256 ${back.sha256} (${back.size} bytes), expected ${d.sha256} (${d.size} bytes)`);
  }
  return "read-back";
}
