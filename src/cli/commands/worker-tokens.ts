import { createWorkerToken } from "../../api/auth/worker-token.js";
import { workerTokensOverview, workerTokenSummary } from "../../api/views/worker-views.js";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { QUEUE_NAME } from "../../core/model/workers.js";
import { cliActorName, recordCliAudit } from "../cli-audit.js";
import { iso, printJson, printTable } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";
import { tokensCreate } from "./users.js";

/** `baton tokens` options: `--worker` switches from API tokens (a user's) to worker tokens (docs/workers.md). */
export interface TokenOptions extends CommonOptions {
  worker?: boolean;
  queues?: string;
  name?: string;
  user?: string;
  role?: string;
  expiresInDays?: string;
}

/** `--queues a,b` → ["a", "b"]: queue names, each once. */
function parseQueues(text: string): string[] {
  const queues = [
    ...new Set(
      text
        .split(",")
        .map((q) => q.trim())
        .filter((q) => q !== ""),
    ),
  ];
  if (queues.length === 0) throw new InvalidInputError("--queues needs at least one queue name, comma-separated (e.g. --queues default,gpu)");
  const bad = queues.find((q) => !QUEUE_NAME.test(q));
  if (bad !== undefined) throw new InvalidInputError(`--queues: "${bad}" is not a queue name (1–64 letters, digits, _ . -)`);
  return queues;
}

/** `baton tokens create`: an API token for a user, or with `--worker` a worker token; either is printed once. */
export async function tokensCreateCommand(opts: TokenOptions): Promise<number> {
  if (!opts.worker) {
    if (opts.queues !== undefined) throw new InvalidInputError("--queues applies to worker tokens only: add --worker");
    return tokensCreate(opts);
  }
  for (const [flag, value] of [
    ["--user", opts.user],
    ["--role", opts.role],
    ["--expires-in-days", opts.expiresInDays],
  ] as const) {
    if (value !== undefined)
      throw new InvalidInputError(
        `${flag} applies to API tokens, not worker tokens (a worker token has no user, role or expiry; revoke it with \`baton tokens revoke <id>\`)`,
      );
  }
  const queues = opts.queues === undefined ? null : parseQueues(opts.queues);
  return withRuntime(opts, async (rt) => {
    const { record, token } = await createWorkerToken(rt.store.workers, { name: opts.name ?? "worker", queues, createdBy: cliActorName() }, Date.now());
    await recordCliAudit(rt.store, "worker_token.create", {
      command: "tokens create --worker",
      target: { type: "worker_token", id: record.id },
      after: { name: record.name, queues: record.queues },
    });
    if (opts.json) printJson({ ...workerTokenSummary(record), token });
    else {
      process.stdout.write(`${token}\n`);
      process.stderr.write(
        `Worker token ${record.id} "${record.name}" (queues: ${record.queues?.join(",") ?? "any"}). It is shown only once: store it now; \`baton worker --token\` reads it.\n`,
      );
    }
    return 0;
  });
}

/** `baton tokens list`: every user's API tokens, or with `--worker` the worker tokens and the workers using them. Never a secret. */
export async function tokensList(opts: TokenOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    if (opts.worker) {
      const tokens = await workerTokensOverview(rt.store.workers, Date.now());
      if (opts.json) printJson(tokens);
      else {
        const rows = tokens.map((t) => ({ ...t, queues: t.queues ?? "any", workers: t.workers.map((w) => w.name), revokedAt: t.revokedAt ?? "" }));
        printTable(rows, ["id", "name", "queues", "createdBy", "createdAt", "lastSeenAt", "revokedAt", "workers"]);
      }
      return 0;
    }
    const tokens = (await rt.store.listTokens()).map((t) => ({
      id: t.id,
      user: t.username,
      name: t.name,
      role: t.role,
      createdAt: iso(t.createdAt),
      expiresAt: iso(t.expiresAt),
      lastUsedAt: iso(t.lastUsedAt),
    }));
    if (opts.json) printJson(tokens);
    else printTable(tokens, ["id", "user", "name", "role", "createdAt", "expiresAt", "lastUsedAt"]);
    return 0;
  });
}

/**
 * `baton tokens revoke <id>`: a worker token (its workers are disconnected and refused), or an
 * API token (deleted); `--worker` looks among worker tokens only.
 */
export async function tokensRevoke(id: string, opts: TokenOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const workerToken = await rt.store.workers.getWorkerToken(id);
    if (workerToken) {
      const revoked = await rt.store.workers.revokeWorkerToken(id, Date.now());
      await recordCliAudit(rt.store, "worker_token.revoke", {
        command: "tokens revoke",
        target: { type: "worker_token", id },
        before: { name: workerToken.name, queues: workerToken.queues, revokedAt: iso(workerToken.revokedAt) },
        details: { alreadyRevoked: !revoked },
      });
      if (opts.json) printJson({ id, kind: "worker", revoked: true, alreadyRevoked: !revoked });
      else
        process.stdout.write(
          revoked
            ? `Revoked worker token ${id} "${workerToken.name}"; its workers are disconnected and refused.\n`
            : `Worker token ${id} was already revoked.\n`,
        );
      return 0;
    }
    const apiToken = opts.worker ? undefined : await rt.store.getToken(id);
    if (!apiToken)
      throw new NotFoundError(`no ${opts.worker ? "worker " : ""}token "${id}"; \`baton tokens list${opts.worker ? " --worker" : ""}\` lists them`);
    await rt.store.deleteToken(id);
    await recordCliAudit(rt.store, "token.delete", {
      command: "tokens revoke",
      target: { type: "token", id },
      before: { name: apiToken.name, role: apiToken.role, owner: apiToken.username },
    });
    if (opts.json) printJson({ id, kind: "api", revoked: true, alreadyRevoked: false });
    else process.stdout.write(`Revoked API token ${id} "${apiToken.name}" of ${apiToken.username}.\n`);
    return 0;
  });
}
