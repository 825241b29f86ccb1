import type { FastifyReply, FastifyRequest } from "fastify";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";

export type ApiErrorCode = "invalid_input" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "too_many_requests" | "internal";

const STATUS: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  internal: 500,
};

/** The API's error body: `{ error: { code, message, field? } }` (docs/api.md). */
export function sendError(reply: FastifyReply, code: ApiErrorCode, message: string, field?: string): FastifyReply {
  return reply
    .code(STATUS[code])
    .type("application/json; charset=utf-8")
    .send({ error: field === undefined ? { code, message } : { code, message, field } });
}

/** Maps the core errors this module throws; anything else is rethrown for the global handler. */
export function sendCoreError(reply: FastifyReply, e: unknown): FastifyReply {
  if (e instanceof InvalidInputError) {
    const field = /^(\w+): /.exec(e.message)?.[1];
    return sendError(reply, "invalid_input", e.message, field);
  }
  if (e instanceof NotFoundError) return sendError(reply, "not_found", e.message);
  throw e;
}

interface AjvIssue {
  instancePath?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
}

/**
 * Route-level preHandler for routes declared with `attachValidation: true`: answers 400
 * `invalid_input` naming the field, whatever global error handler is (or isn't) installed.
 */
export async function rejectInvalidInput(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const err = request.validationError as (Error & { validation?: AjvIssue[] }) | undefined;
  if (!err) return undefined;
  const issue = err.validation?.[0];
  const path = issue?.instancePath?.replace(/^\//, "").replaceAll("/", ".");
  const field = issue?.params?.missingProperty ?? (path || undefined);
  return sendError(reply, "invalid_input", err.message, field);
}

export const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: "string" }, message: { type: "string" }, field: { type: "string" } },
      required: ["code", "message"],
    },
  },
  required: ["error"],
} as const;
