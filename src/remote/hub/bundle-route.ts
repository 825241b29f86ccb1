import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { Clock } from "../../core/ports/clock.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import { WORKER_BUNDLE_PATH } from "../protocol.js";
import { authenticateWorker, unauthorizedBody } from "./worker-auth.js";

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * `GET /api/v1/workers/bundles/:sha256` with a worker token: the DAG bundle whose code has that
 * sha256 (`text/javascript`), from the database, else `<bundlesDir>/<sha256>.mjs`, else 404.
 * The route is `public` to the user auth (a worker token is not a user credential) and checks
 * the worker token itself; it is not in the OpenAPI document (it is no user API).
 */
export function registerBundleRoute(app: FastifyInstance, opts: { store: WorkerStore; bundlesDir: string; clock: Clock }): void {
  app.get<{ Params: { sha256: string } }>(`${WORKER_BUNDLE_PATH}:sha256`, { config: { role: "public" }, schema: { hide: true } }, async (request, reply) => {
    const auth = await authenticateWorker(opts.store, request.headers.authorization, opts.clock.now());
    if ("error" in auth) return reply.code(401).type("application/json; charset=utf-8").send(unauthorizedBody(auth.error));
    const { sha256 } = request.params;
    if (!SHA256.test(sha256)) throw new InvalidInputError(`sha256: must be 64 lowercase hexadecimal characters, got "${sha256.slice(0, 80)}"`);
    const code = (await opts.store.getBundle(sha256)) ?? (await readBundleFile(join(opts.bundlesDir, `${sha256}.mjs`)));
    if (code === undefined) throw new NotFoundError(`no DAG bundle with sha256 ${sha256} on this server`);
    return reply.type("text/javascript; charset=utf-8").header("cache-control", "private, max-age=31536000, immutable").send(code);
  });
}

async function readBundleFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
