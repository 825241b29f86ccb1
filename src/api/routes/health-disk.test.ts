import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LastInfraError } from "../../core/ports/infra-errors.js";
import { fill, mountSmallFileSystem, type SmallFileSystem } from "../../../test/support/small-file-system.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";
import { diskStatus } from "./disk-health.js";

// Regression (issue 8, item 7): with BATON_HOME on a full file system, /health still said "ok".

let fs: SmallFileSystem | undefined;
let cannot: string | null = null;
beforeAll(() => {
  const mounted = mountSmallFileSystem(512);
  if ("cannot" in mounted) cannot = mounted.cannot;
  else fs = mounted;
});
afterAll(() => fs?.unmount());

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("GET /api/v1/health: the disk of BATON_HOME", () => {
  it("reports free and total bytes; full (503 degraded) on a full file system, with the last infrastructure error", async (ctx) => {
    if (cannot !== null) {
      console.warn(`skipping: ${cannot}`);
      return ctx.skip();
    }
    const infraErrors = new LastInfraError();
    h = await apiHarness({ homeDir: fs!.dir, infraErrors });
    const before = await h.app.inject("/api/v1/health");
    expect(before.statusCode).toBe(200);
    expect(before.json().disk).toMatchObject({ status: "ok", path: fs!.dir, totalBytes: 512 * 1024, lastInfraError: null });
    expect(before.json().disk.freeBytes).toBeGreaterThan(400 * 1024);

    const filler = fill(fs!.dir);
    infraErrors.record("1 write(s) to the attempt log were lost: ENOSPC: no space left on device, write", NOW);
    const full = await h.app.inject("/api/v1/health");
    expect(full.statusCode).toBe(503);
    expect(full.json()).toMatchObject({
      status: "degraded",
      store: { status: "ok" },
      disk: { status: "full", freeBytes: 0, lastInfraError: { at: new Date(NOW).toISOString(), message: expect.stringContaining("ENOSPC") } },
    });
    rmSync(filler);
    expect((await h.app.inject("/api/v1/health")).json().disk.status).toBe("ok");
  });

  it("says unknown when BATON_HOME cannot be examined", async () => {
    h = await apiHarness({ homeDir: "/nonexistent/baton-home" });
    const res = await h.app.inject("/api/v1/health");
    expect(res.statusCode).toBe(200);
    expect(res.json().disk).toEqual({ status: "unknown", path: "/nonexistent/baton-home", freeBytes: null, totalBytes: null, lastInfraError: null });
  });

  it("low under min(1 GiB, 10 %) free, full under min(16 MiB, 1 %)", () => {
    const GiB = 1024 ** 3;
    expect(diskStatus(50 * GiB, 100 * GiB)).toBe("ok");
    expect(diskStatus(GiB - 1, 100 * GiB)).toBe("low");
    expect(diskStatus(16 * 1024 ** 2 - 1, 100 * GiB)).toBe("full");
    expect(diskStatus(0, 100 * GiB)).toBe("full");
    expect(diskStatus(90 * 1024, 1024 * 1024)).toBe("low");
    expect(diskStatus(10 * 1024, 1024 * 1024)).toBe("full");
  });
});
