import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script shared with `npm run gen:api`
import { renderApiTypes } from "../scripts/api-types.mjs";

const ROOT = join(import.meta.dirname, "..");

describe("generated files are up to date (run `npm run gen:api` if this fails)", () => {
  it("ui/src/api/schema.d.ts is what openapi-typescript makes of docs/openapi.json", async () => {
    const expected: string = await renderApiTypes(join(ROOT, "docs", "openapi.json"));
    const committed = readFileSync(join(ROOT, "ui", "src", "api", "schema.d.ts"), "utf8");
    expect(committed === expected, "ui/src/api/schema.d.ts is stale: run `npm run gen:api`").toBe(true);
  });
});
