import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { RouteDeps } from "../api-deps.js";
import { sendError } from "../auth/api-errors.js";
import { noteAudit } from "../audit/audit-note.js";
import { checkJsonDepth } from "../json-body.js";
import { requireDag } from "../lookups.js";
import { errors, obj, ref } from "../schemas/json-schema.js";
import { runView } from "../views/run-view.js";

/** Largest webhook body accepted (413 above). */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const DELIVERY_ID = /^[A-Za-z0-9_.~:+-]{1,200}$/;

/** The name of the variable holding a DAG's webhook secret. */
export function webhookSecretKey(dagId: string): string {
  return `webhook_secret_${dagId}`;
}

/**
 * The raw request bytes, kept whole for the signature. Its only field is private, so hooks that
 * walk the body (finite-number checks) see nothing to walk.
 */
class RawBody {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }
  get bytes(): Buffer {
    return this.#bytes;
  }
}

/**
 * `POST /api/v1/dags/{dagId}/webhook`: a signed request starts a run with the JSON body as conf.
 * The route is public: the HMAC-SHA256 signature of the raw body with the DAG's secret (the
 * variable `webhook_secret_<dagId>`) is the authentication. A delivery id seen before answers
 * with the run it started, so senders may retry.
 */
export async function webhookRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  // Its own scope: bodies reach the handler as raw bytes (the signature covers them), whatever
  // the content type, up to 1 MiB.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: WEBHOOK_MAX_BYTES }, (_request, body, done) => {
      done(null, new RawBody(body as Buffer));
    });

    scope.post<{ Params: { dagId: string }; Headers: { "x-baton-signature"?: string; "x-baton-delivery"?: string } }>(
      "/api/v1/dags/:dagId/webhook",
      {
        config: { role: "public", audit: "run.trigger" },
        bodyLimit: WEBHOOK_MAX_BYTES,
        schema: {
          tags: ["runs"],
          summary: "Start a run from a signed webhook; the JSON body is the run's conf",
          description:
            "Sign the raw body with HMAC-SHA256 and the secret in the variable `webhook_secret_<dagId>`, and send `X-Baton-Signature: sha256=<hex>`. " +
            "An `X-Baton-Delivery` id makes retries safe: a delivery id seen before answers 200 with the run it started. Bodies above 1 MiB are refused (413).",
          params: obj({ dagId: { type: "string", minLength: 1, maxLength: 250 } }),
          headers: {
            type: "object",
            properties: {
              "x-baton-signature": { type: "string", description: "`sha256=` and the hex HMAC-SHA256 of the raw body." },
              "x-baton-delivery": { type: "string", description: "The sender's delivery id (letters, digits, _.~:+-; at most 200)." },
            },
          },
          response: { 200: ref("Run"), 201: ref("Run"), ...errors(400, 401, 404, 413) },
        },
      },
      async (request, reply) => {
        const { dagId } = request.params;
        const signature = SIGNATURE.exec(request.headers["x-baton-signature"] ?? "")?.[1];
        if (signature === undefined) {
          return sendError(reply, "unauthorized", "missing or malformed X-Baton-Signature; send sha256=<hex HMAC-SHA256 of the raw body>");
        }
        await requireDag(deps.store, dagId);
        const secret = await webhookSecret(deps, dagId);
        const raw = request.body instanceof RawBody ? request.body.bytes : Buffer.alloc(0);
        const expected = createHmac("sha256", secret).update(raw).digest();
        if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) {
          return sendError(reply, "unauthorized", `X-Baton-Signature does not match the body signed with the variable ${webhookSecretKey(dagId)}`);
        }

        const deliveryId = request.headers["x-baton-delivery"];
        if (deliveryId !== undefined && !DELIVERY_ID.test(deliveryId)) {
          throw new InvalidInputError(`X-Baton-Delivery "${deliveryId}" may only contain letters, digits and _.~:+- (at most 200)`);
        }
        // Without a delivery id every request is a new run: a random suffix keeps two in the same ms apart.
        const runId = deliveryId === undefined ? `webhook__${new Date(deps.now()).toISOString()}_${randomBytes(4).toString("hex")}` : `webhook__${deliveryId}`;
        const seen = async () => (deliveryId === undefined ? undefined : deps.store.getRun(dagId, runId));
        const audited = (run: { runId: string; state: string; conf: Record<string, unknown> }, duplicate: boolean) =>
          noteAudit(request, {
            actor: { name: "webhook", via: "webhook", tokenId: null },
            target: { type: "run", id: run.runId },
            dagId,
            after: { state: run.state, conf: run.conf },
            details: { delivery: deliveryId ?? null, duplicate },
          });
        const earlier = await seen();
        if (earlier) {
          audited(earlier, true);
          return reply.status(200).send(runView(earlier));
        }

        const conf = parseConf(raw);
        try {
          const run = await deps.triggerRun(dagId, { conf, logicalDate: null, runId, triggeredBy: "webhook" }, deps.now());
          audited(run, false);
          return reply.status(201).send(runView(run));
        } catch (error) {
          // The same delivery arriving twice at once: the other request created the run.
          const raced = await seen();
          if (raced) {
            audited(raced, true);
            return reply.status(200).send(runView(raced));
          }
          throw error;
        }
      },
    );
  });
}

async function webhookSecret(deps: RouteDeps, dagId: string): Promise<string> {
  const key = webhookSecretKey(dagId);
  const notConfigured = () => new NotFoundError(`webhook not configured for DAG ${dagId}; set variable ${key}`);
  if (!deps.secrets) throw notConfigured();
  try {
    const secret = await deps.secrets.variable(key);
    if (secret === "") throw notConfigured();
    return secret;
  } catch (error) {
    if (error instanceof NotFoundError) throw notConfigured();
    throw error;
  }
}

/** The run's conf: the body as a JSON object; an empty body is `{}`. */
function parseConf(raw: Buffer): Record<string, unknown> {
  const text = raw.toString("utf8").trim();
  if (text === "") return {};
  checkJsonDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`body: not JSON (${(error as Error).message}); send the run's conf as a JSON object`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError("body: must be a JSON object (the run's conf)");
  }
  return value as Record<string, unknown>;
}
