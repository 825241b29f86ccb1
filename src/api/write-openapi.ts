/**
 * Writes docs/openapi.json from the route schemas (`npm run gen:api`):
 *   node dist/src/api/write-openapi.js [path]
 * A test fails when the committed document differs from what the server produces.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { OPENAPI_FILE, stableJson } from "./openapi.js";
import { openApiDocument } from "./openapi-document.js";

const target = resolve(process.argv[2] ?? OPENAPI_FILE);
writeFileSync(target, stableJson(await openApiDocument()));
process.stdout.write(`Wrote ${target}\n`);
