import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { expect, it } from "vitest";

it("gives the run one temporary folder that tests' scratch folders go into", () => {
  const scratch = mkdtempSync(join(tmpdir(), "probe-"));
  expect(basename(dirname(scratch))).toMatch(/^baton-tests-/);
  expect(existsSync(scratch)).toBe(true);
});
