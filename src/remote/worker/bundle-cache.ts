import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BatonError } from "../../core/errors.js";
import type { Clock } from "../../core/ports/clock.js";
import type { Secret } from "../../core/secrets/secret.js";
import { WORKER_BUNDLE_PATH } from "../protocol.js";

/** A bundle could not be had; the attempt fails with this message. */
export class BundleError extends BatonError {
  constructor(
    message: string,
    /** Whether another try may succeed (a network error, yes; a bundle the server does not have, no). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface BundleCacheOptions {
  /** Where verified, rewritten bundles are kept (`<cacheDir>/bundles`). */
  dir: string;
  /** The API server's base URL (`http(s)://host[:port][/prefix]`, no trailing slash). */
  server: string;
  token: Secret;
  /** `file:` URL of this process's compiled `src/` folder: what the bundles' SDK imports are rewritten to. */
  localSdkRoot: string;
  clock: Clock;
  /** Per download. Default 60 s. */
  timeoutMs?: number;
}

/**
 * The DAG bundles attempts run, by the sha256 of their code: fetched once from the API server
 * (`GET <server>/api/v1/workers/bundles/<sha256>`), checked against that hash, the server's SDK
 * root rewritten to this process's own, and kept as `<cacheDir>/bundles/<roots>-<sha256>.mjs`
 * (`roots`: a hash of the two SDK roots, so a server moved to another path gets its own copy).
 * Concurrent asks for one bundle share one download. Files are written whole (temp + rename), so
 * workers sharing the folder never see half a bundle.
 */
export class BundleCache {
  readonly #opts: Required<BundleCacheOptions>;
  readonly #inFlight = new Map<string, Promise<string>>();
  /** The `roots` part of the file name, by the server's SDK root (hashed once, not per attempt). */
  readonly #roots = new Map<string, string>();

  constructor(options: BundleCacheOptions) {
    this.#opts = { timeoutMs: 60_000, ...options, localSdkRoot: withSlash(options.localSdkRoot) };
  }

  /** The local path of bundle `sha256` built by a server whose SDK root is `serverSdkRoot`. */
  get(sha256: string, serverSdkRoot: string): Promise<string> {
    const from = withSlash(serverSdkRoot);
    let roots = this.#roots.get(from);
    if (roots === undefined) {
      roots = createHash("sha256").update(`${from}\n${this.#opts.localSdkRoot}`).digest("hex").slice(0, 16);
      this.#roots.set(from, roots);
    }
    const path = join(this.#opts.dir, `${roots}-${sha256}.mjs`);
    if (existsSync(path)) return Promise.resolve(path);
    let pending = this.#inFlight.get(path);
    if (pending === undefined) {
      pending = this.#download(sha256, from, path).finally(() => this.#inFlight.delete(path));
      this.#inFlight.set(path, pending);
    }
    return pending;
  }

  async #download(sha256: string, serverSdkRoot: string, path: string): Promise<string> {
    const url = `${this.#opts.server}${WORKER_BUNDLE_PATH}${sha256}`;
    const code = await this.#fetch(url);
    const actual = createHash("sha256").update(code).digest("hex");
    if (actual !== sha256) {
      throw new BundleError(`the bundle from ${url} is not the one asked for: its sha256 is ${actual}, not ${sha256}; it was refused`, true);
    }
    const text = code.toString("utf8");
    const rewritten = serverSdkRoot === this.#opts.localSdkRoot ? text : text.split(serverSdkRoot).join(this.#opts.localSdkRoot);
    await mkdir(this.#opts.dir, { recursive: true });
    const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temp, rewritten);
      await rename(temp, path);
    } catch (e) {
      await rm(temp, { force: true });
      throw new BundleError(`the bundle could not be cached at ${path}: ${e instanceof Error ? e.message : String(e)}`, true);
    }
    return path;
  }

  async #fetch(url: string): Promise<Buffer> {
    const abort = new AbortController();
    const cancel = this.#opts.clock.setTimer(this.#opts.timeoutMs, () => abort.abort());
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${this.#opts.token.reveal()}` }, signal: abort.signal });
      if (!res.ok) {
        const body = (await res.text().catch(() => "")).trim().slice(0, 300);
        const why = `GET ${url} answered HTTP ${res.status}${body ? `: ${body}` : ""}`;
        // 404: the server has no such bundle; trying again will not change that.
        throw new BundleError(`the attempt's bundle could not be fetched: ${why}`, res.status !== 404);
      }
      return Buffer.from(await res.arrayBuffer());
    } catch (e) {
      if (e instanceof BundleError) throw e;
      const why = abort.signal.aborted
        ? `no answer within ${this.#opts.timeoutMs / 1000}s`
        : e instanceof Error
          ? e.cause instanceof Error
            ? `${e.message}: ${e.cause.message}`
            : e.message
          : String(e);
      throw new BundleError(`the attempt's bundle could not be fetched from ${url}: ${why}`, true);
    } finally {
      cancel();
    }
  }
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
