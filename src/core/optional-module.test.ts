import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FailTask } from "./errors.js";
import { loadOptional, MissingPackageError } from "./optional-module.js";

const dir = mkdtempSync(join(tmpdir(), "baton-optional-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, code: string) => {
  writeFileSync(join(dir, name), code);
  return pathToFileURL(join(dir, name)).href;
};

describe("loadOptional", () => {
  it("names the missing package and the command to install it, as a task failure that is not retried", async () => {
    // A client module of ours that imports a driver which is not installed, as Node reports it.
    const client = file("client.mjs", `import x from "baton-test-absent-driver";\nexport const open = () => x;\n`);
    const err = await loadOptional("Kafka", ["baton-test-absent-driver"], () => import(client)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPackageError);
    expect((err as Error).message).toBe("Kafka needs baton-test-absent-driver: npm install baton-test-absent-driver");
    expect(FailTask.is(err)).toBe(true);
  });

  it("lists every package a feature needs, and matches a subpath import", async () => {
    const client = file("s3.mjs", `import x from "baton-test-absent-sdk/promise";\nexport default x;\n`);
    const err = await loadOptional("S3", ["baton-test-absent-sdk", "baton-test-absent-storage"], () => import(client)).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "S3 needs baton-test-absent-sdk and baton-test-absent-storage: npm install baton-test-absent-sdk baton-test-absent-storage",
    );
  });

  it("rethrows other failures as they are: another missing module, or an error while the module loads", async () => {
    const other = file("other.mjs", `import x from "baton-test-something-else";\nexport default x;\n`);
    const e1 = await loadOptional("Kafka", ["kafkajs"], () => import(other)).catch((e: unknown) => e);
    expect(e1).not.toBeInstanceOf(MissingPackageError);
    expect((e1 as { code?: string }).code).toBe("ERR_MODULE_NOT_FOUND");
    const throws = file("throws.mjs", `throw new Error("driver init failed");\n`);
    await expect(loadOptional("Kafka", ["kafkajs"], () => import(throws))).rejects.toThrow("driver init failed");
  });

  it("returns the module when it is there", async () => {
    const ok = file("ok.mjs", `export const answer = 42;\n`);
    expect((await loadOptional("Test", ["x"], () => import(ok) as Promise<{ answer: number }>)).answer).toBe(42);
  });
});
