import { describe, expect, it } from "vitest";
import { dagVersion } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

export function describeDagsContract(sut: StoreUnderTest): void {
  describe("DAGs and versions", () => {
    it("saveDagVersion records a new DAG as active and unpaused, pointing at the version", async () => {
      const v1 = dagVersion("etl", "h1", { createdAt: 1000 });
      await sut.store.saveDagVersion(v1);
      expect(await sut.store.getDag("etl")).toEqual({
        dagId: "etl",
        fileloc: "/dags/etl.ts",
        paused: false,
        active: true,
        latestVersion: "h1",
        lastScheduledLogicalDate: null,
        createdAt: 1000,
        updatedAt: 1000,
      });
    });

    it("getDagVersion round-trips the spec and source, unicode and nested JSON included", async () => {
      const v1 = dagVersion("etl", "h1");
      await sut.store.saveDagVersion(v1);
      expect(await sut.store.getDagVersion("h1")).toEqual(v1);
    });

    it("unknown DAGs and versions are undefined", async () => {
      expect(await sut.store.getDag("nope")).toBeUndefined();
      expect(await sut.store.getDagVersion("nope")).toBeUndefined();
    });

    it("a new version moves latestVersion, fileloc and updatedAt but keeps paused, schedule bookkeeping and createdAt", async () => {
      await sut.store.saveDagVersion(dagVersion("etl", "h1", { createdAt: 1000 }));
      await sut.store.setDagPaused("etl", true);
      await sut.store.commit({ dagSchedules: [{ dagId: "etl", lastScheduledLogicalDate: 0 }] });
      await sut.store.saveDagVersion(dagVersion("etl", "h2", { createdAt: 2000, fileloc: "/dags/moved.ts" }));
      expect(await sut.store.getDag("etl")).toEqual({
        dagId: "etl",
        fileloc: "/dags/moved.ts",
        paused: true,
        active: true,
        latestVersion: "h2",
        lastScheduledLogicalDate: 0,
        createdAt: 1000,
        updatedAt: 2000,
      });
      expect((await sut.store.getDagVersion("h1"))?.createdAt).toBe(1000);
    });

    it("saving a known version again is a no-op for the version and points the DAG back at it", async () => {
      await sut.store.saveDagVersion(dagVersion("etl", "h1", { createdAt: 1000 }));
      await sut.store.saveDagVersion(dagVersion("etl", "h2", { createdAt: 2000 }));
      await sut.store.saveDagVersion(dagVersion("etl", "h1", { createdAt: 3000 }));
      expect((await sut.store.getDag("etl"))?.latestVersion).toBe("h1");
      expect((await sut.store.getDagVersion("h1"))?.createdAt).toBe(1000);
    });

    it("listDags returns every DAG by id, inactive ones included", async () => {
      for (const id of ["zeta", "alpha", "mid"]) await sut.store.saveDagVersion(dagVersion(id, `h-${id}`));
      await sut.store.deactivateDags("/dags/mid.ts", []);
      const dags = await sut.store.listDags();
      expect(dags.map((d) => [d.dagId, d.active])).toEqual([
        ["alpha", true],
        ["mid", false],
        ["zeta", true],
      ]);
    });

    it("setDagPaused toggles and returns false for an unknown DAG", async () => {
      await sut.store.saveDagVersion(dagVersion("etl", "h1"));
      expect(await sut.store.setDagPaused("etl", true)).toBe(true);
      expect((await sut.store.getDag("etl"))?.paused).toBe(true);
      expect(await sut.store.setDagPaused("etl", false)).toBe(true);
      expect((await sut.store.getDag("etl"))?.paused).toBe(false);
      expect(await sut.store.setDagPaused("nope", true)).toBe(false);
      expect(await sut.store.getDag("nope")).toBeUndefined();
    });

    it("deactivateDags touches only DAGs of that file not kept, and a reload reactivates", async () => {
      const file = "/dags/shared.ts";
      for (const id of ["a", "b", "c"]) await sut.store.saveDagVersion(dagVersion(id, `h-${id}`, { fileloc: file }));
      await sut.store.saveDagVersion(dagVersion("other", "h-other"));
      await sut.store.deactivateDags(file, ["b"]);
      const active = Object.fromEntries((await sut.store.listDags()).map((d) => [d.dagId, d.active]));
      expect(active).toEqual({ a: false, b: true, c: false, other: true });

      await sut.store.deactivateDags(file, []);
      expect((await sut.store.getDag("b"))?.active).toBe(false);
      expect((await sut.store.getDag("other"))?.active).toBe(true);

      await sut.store.saveDagVersion(dagVersion("a", "h-a"));
      expect((await sut.store.getDag("a"))?.active).toBe(true);
    });

    it("replaceImportErrors replaces per file, keeps other files, and clears with an empty list", async () => {
      await sut.store.replaceImportErrors("/dags/a.ts", [
        { file: "/dags/a.ts", line: 3, column: 0, message: "first «ü»", at: 10 },
        { file: "/dags/a.ts", line: null, column: null, message: "second", at: 11 },
      ]);
      await sut.store.replaceImportErrors("/dags/b.ts", [{ file: "/dags/b.ts", line: 1, column: 2, message: "b broke", at: 12 }]);
      expect(await sut.store.listImportErrors()).toEqual([
        { file: "/dags/a.ts", line: 3, column: 0, message: "first «ü»", at: 10 },
        { file: "/dags/a.ts", line: null, column: null, message: "second", at: 11 },
        { file: "/dags/b.ts", line: 1, column: 2, message: "b broke", at: 12 },
      ]);

      await sut.store.replaceImportErrors("/dags/a.ts", [{ file: "/dags/a.ts", line: 9, column: 9, message: "now this", at: 20 }]);
      await sut.store.replaceImportErrors("/dags/b.ts", []);
      expect(await sut.store.listImportErrors()).toEqual([{ file: "/dags/a.ts", line: 9, column: 9, message: "now this", at: 20 }]);
    });

    it("import warnings (type errors): replaced per file, kept apart from import errors, cleared with an empty list", async () => {
      await sut.store.replaceImportErrors("/dags/a.ts", [{ file: "/dags/a.ts", line: 1, column: 1, message: "load error", at: 1 }]);
      await sut.store.replaceImportWarnings("/dags/a.ts", [
        { file: "/dags/a.ts", line: 4, column: 9, code: 2322, message: "Type 'string' is not assignable to type 'number'. «ü»", at: 10 },
        { file: "/dags/a.ts", line: null, column: null, code: null, message: "second", at: 11 },
      ]);
      await sut.store.replaceImportWarnings("/dags/b.ts", [{ file: "/dags/b.ts", line: 2, column: 3, code: 2339, message: "b", at: 12 }]);
      expect(await sut.store.listImportWarnings()).toEqual([
        { file: "/dags/a.ts", line: 4, column: 9, code: 2322, message: "Type 'string' is not assignable to type 'number'. «ü»", at: 10 },
        { file: "/dags/a.ts", line: null, column: null, code: null, message: "second", at: 11 },
        { file: "/dags/b.ts", line: 2, column: 3, code: 2339, message: "b", at: 12 },
      ]);
      // Each kind is replaced on its own.
      await sut.store.replaceImportErrors("/dags/a.ts", []);
      expect(await sut.store.listImportWarnings()).toHaveLength(3);
      await sut.store.replaceImportWarnings("/dags/a.ts", []);
      await sut.store.replaceImportErrors("/dags/b.ts", [{ file: "/dags/b.ts", line: 1, column: 1, message: "x", at: 1 }]);
      expect((await sut.store.listImportWarnings()).map((w) => w.file)).toEqual(["/dags/b.ts"]);
      expect((await sut.store.listImportErrors()).map((e) => e.file)).toEqual(["/dags/b.ts"]);
      await expect(sut.store.replaceImportWarnings("/dags/a.ts", [{ file: "/dags/c.ts", line: 1, column: 1, code: 1, message: "y", at: 2 }])).rejects.toThrow(
        /another file/,
      );
    });

    it("replaceImportErrors refuses an error filed under another file, changing nothing", async () => {
      await sut.store.replaceImportErrors("/dags/a.ts", [{ file: "/dags/a.ts", line: 1, column: 1, message: "x", at: 1 }]);
      await expect(sut.store.replaceImportErrors("/dags/a.ts", [{ file: "/dags/b.ts", line: 1, column: 1, message: "y", at: 2 }])).rejects.toThrow(
        /another file/,
      );
      expect((await sut.store.listImportErrors()).map((e) => e.message)).toEqual(["x"]);
    });
  });
}
