import type { FastifyInstance } from "fastify";
import { InvalidInputError } from "../core/errors.js";

/** JSON bodies nested deeper than this are refused (400): the body's own object is level 1. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON `text` nests arrays and objects more than `limit` levels deep. One pass over the
 * characters with a counter, no recursion, so any depth is measured without growing the stack;
 * brackets inside strings do not count. Runs before JSON.parse: code that walks a parsed value
 * recursively (params validation, finite-number checks) only ever sees bounded depths.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

const [QUOTE, BACKSLASH, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = ['"', "\\", "{", "}", "[", "]"].map((c) => c.charCodeAt(0)) as [
  number,
  number,
  number,
  number,
  number,
  number,
];

/** Throws the API's 400 when `text` nests deeper than {@link MAX_JSON_DEPTH}; `what` names it ("body"). */
export function checkJsonDepth(text: string, what = "body"): void {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new InvalidInputError(`${what}: JSON nested more than ${MAX_JSON_DEPTH} levels deep; flatten it`);
  }
}

/**
 * The body parsers of the JSON routes, in one place: `application/json` is checked for depth and
 * then parsed by Fastify's own parser (which refuses `__proto__` and `constructor` keys); any
 * other content type is a 415 naming it. (A route that takes raw bytes, the webhook, registers its
 * own parsers in its own scope and calls {@link checkJsonDepth} itself.)
 */
export function installJsonBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    try {
      checkJsonDepth(body as string);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    // Fastify's default JSON parser is synchronous (it answers through `done`); nothing to await.
    void parseJson(request, body as string, done);
  });
  app.addContentTypeParser("*", (request, _payload, done) => {
    const type = request.headers["content-type"] ?? "";
    done(
      unsupportedMediaType(
        `Content-Type ${type.split(";")[0]?.trim() || "(none)"} is not supported here; send a JSON body with Content-Type: application/json`,
      ),
      undefined,
    );
  });
}

function unsupportedMediaType(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 415 });
}
