import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { BatonError } from "../core/errors.js";

export const OPENAPI_PATH = "/api/openapi.json";
/**
 * The generated document (`npm run gen:api`, src/api/openapi-document.ts), relative to the package
 * root: committed in the repository, shipped in the npm package (package.json `files`), served as is.
 */
export const OPENAPI_FILE = "docs/openapi.json";

/**
 * Serves the shipped document at {@link OPENAPI_PATH}, read on the first request. The server does
 * not describe its routes at run time (no @fastify/swagger, issue 13); a test fails when the
 * document differs from what the generator makes of the routes.
 */
export function registerOpenApiRoute(app: FastifyInstance, file: string = shippedOpenApiFile()): void {
  let text: string | undefined;
  // Like every endpoint but health, it needs credentials outside local mode.
  app.get(OPENAPI_PATH, { config: { role: "viewer" }, schema: { hide: true } }, async (_request, reply) => {
    text ??= readDocument(file);
    return reply.type("application/json; charset=utf-8").send(text);
  });
}

/** `docs/openapi.json` beside the nearest package.json named "baton" above this module (src/, dist/src/ or a bundle in the package). */
export function shippedOpenApiFile(): string {
  const here = fileURLToPath(import.meta.url);
  for (let dir = dirname(here), i = 0; i < 6; i++, dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name === "baton") return join(dir, OPENAPI_FILE);
  }
  return join(dirname(here), OPENAPI_FILE);
}

function readDocument(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new BatonError(`the OpenAPI document ${file} cannot be read (Baton's package ships it as ${OPENAPI_FILE}): ${(e as Error).message}`);
  }
}

/** JSON with object keys sorted at every level: a stable text for the committed document. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
