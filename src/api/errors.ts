import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { BatonError, ConflictError, InvalidInputError, NotFoundError, StoreUnavailableError } from "../core/errors.js";

/** The request conflicts with what exists (a pool of that name, a run already finished). → 409 */
export { ConflictError } from "../core/errors.js";

export type ErrorCode = "invalid_input" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "unavailable" | "internal";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

interface Mapped {
  status: number;
  body: ErrorBody;
}

/**
 * The one place where errors become HTTP answers: Fastify validation → 400 naming the field;
 * InvalidInputError → 400 (field when the message names one path, e.g. `conf.region: …`);
 * NotFoundError → 404; ConflictError → 409; StoreUnavailableError (the database stayed locked) →
 * 503; any other BatonError → 400; errors carrying a 4xx
 * `statusCode` (malformed JSON, oversize body, auth) keep it; anything else → 500, logged,
 * with a generic message.
 */
export function mapError(error: unknown): Mapped {
  const e = error as Partial<FastifyError> & { validationContext?: string };
  if (Array.isArray(e.validation) && e.validation.length > 0) return validationError(e as FastifyError);
  if (error instanceof NotFoundError) return answer(404, "not_found", error.message);
  if (error instanceof ConflictError) return answer(409, "conflict", error.message);
  if (error instanceof StoreUnavailableError) return answer(503, "unavailable", error.message);
  if (error instanceof InvalidInputError) return answer(400, "invalid_input", error.message, fieldOfMessage(error.message));
  if (error instanceof BatonError) return answer(400, "invalid_input", error.message);
  const status = typeof e.statusCode === "number" ? e.statusCode : 500;
  if (status >= 400 && status < 500) return answer(status, codeOfStatus(status), e.message ?? "bad request");
  return answer(500, "internal", "internal server error; see the server log");
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(sendError);
}

/** Answers `error` as mapped; also Fastify's `frameworkErrors` option (malformed URLs). */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = mapError(error);
  if (status >= 500) request.log.error({ err: error }, "request failed");
  return reply.status(status).type("application/json; charset=utf-8").send(body);
}

export function sendNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { body } = answer(404, "not_found", `no route ${request.method} ${request.url.split("?")[0] ?? ""}`);
  return reply.status(404).type("application/json; charset=utf-8").send(body);
}

function answer(status: number, code: ErrorCode, message: string, field?: string): Mapped {
  return { status, body: { error: field === undefined ? { code, message } : { code, message, field } } };
}

function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    default:
      return "invalid_input";
  }
}

function validationError(e: FastifyError): Mapped {
  const first = e.validation?.[0];
  const segments = (first?.instancePath ?? "")
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  const params = (first?.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
  const leaf = params.missingProperty ?? params.additionalProperty;
  if (leaf !== undefined) segments.push(leaf);
  const field = segments.length > 0 ? segments.join(".") : undefined;
  return answer(400, "invalid_input", e.message, field);
}

const PATH_PREFIX = /^([A-Za-z_$][\w$]*(?:\.[^\s:;.]+)*): /;

/** `conf.region` from `params are invalid: conf.region: must be …` when exactly one path is at fault. */
export function fieldOfMessage(message: string): string | undefined {
  const problems = message.replace(/^params are invalid: /, "").split("; ");
  const fields = new Set(problems.map((p) => PATH_PREFIX.exec(p)?.[1]).filter((f) => f !== undefined));
  if (fields.size !== 1 || PATH_PREFIX.exec(message.replace(/^params are invalid: /, "")) === null) return undefined;
  const [field] = fields;
  return field;
}
