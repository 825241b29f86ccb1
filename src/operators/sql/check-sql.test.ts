import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/errors.js";
import { evaluateCheck, planCheck, quarantineSql, quoteName, validateChecks, type SqlCheck } from "./check-sql.js";

const render = (t: string) => t.replaceAll("{{ ds }}", "2026-01-02");
const run = (check: SqlCheck, row: Record<string, unknown> | undefined) => evaluateCheck(check, planCheck(check, "postgres", render), row);

describe("check SQL generation", () => {
  it("quotes (schema-qualified) names per dialect and refuses anything else", () => {
    expect(quoteName("s.sales", "postgres")).toBe('"s"."sales"');
    expect(quoteName("sales", "mysql")).toBe("`sales`");
    expect(() => quoteName("sales; drop table x", "sqlite")).toThrow(InvalidInputError);
    expect(() => quoteName('a"b', "duckdb")).toThrow(/identifiers/);
  });

  it("renders templates into table filters and builds one measuring query per check", () => {
    const p = planCheck({ rowCount: { table: "sales", where: "day = '{{ ds }}'", min: 1 } }, "postgres", render);
    expect(p.sql).toBe(`select count(*) as value from "sales" where day = '2026-01-02'`);
    expect(p.expected).toBe("row count >= 1");
    const n = planCheck({ nullRatio: { table: "sales", column: "amount", max: 0.01 } }, "mysql", render);
    expect(n.sql).toBe("select count(*) as total, count(*) - count(`amount`) as nulls from `sales`");
    expect(n.offending).toBe("`amount` is null");
    const u = planCheck({ unique: { table: "sales", columns: ["id", "day"] } }, "sqlite", render);
    expect(u.sql).toBe(`select count(*) as value from (select "id", "day" from "sales" group by "id", "day" having count(*) > 1) as dup_keys`);
    expect(planCheck({ query: "select count(*) = 0 from sales where day = '{{ ds }}'" }, "duckdb", render).sql).toBe(
      "select count(*) = 0 from sales where day = '2026-01-02'",
    );
  });

  it("copies offending rows of row-level checks only, inside the check's own filter", () => {
    const u = planCheck({ unique: { table: "sales", columns: ["id"], where: "day = '{{ ds }}'" } }, "postgres", render);
    const q = quarantineSql(u, "sales_bad", "postgres", null)!;
    expect(q.create).toBe(`create table if not exists "sales_bad" as select * from "sales" where 1 = 0`);
    expect(q.insert).toBe(
      `insert into "sales_bad" select * from "sales" where (day = '2026-01-02') and (("id") in (select "id" from "sales" where day = '2026-01-02' group by "id" having count(*) > 1))`,
    );
    const r = planCheck({ rowCount: { table: "sales", min: 1 } }, "postgres", render);
    expect(quarantineSql(r, "q", "postgres", null)).toBeNull();
    expect(quarantineSql(r, "q", "postgres", "amount < 0")!.insert).toBe(`insert into "q" select * from "sales" where (amount < 0)`);
    expect(quarantineSql(planCheck({ query: "select true" }, "postgres", render), "q", "postgres", "x")).toBeNull();
  });

  it("rejects malformed checks with the index and kind at fault", () => {
    expect(() => validateChecks([])).toThrow(/non-empty/);
    expect(() => validateChecks([{ rowCount: { table: "t" } } as SqlCheck])).toThrow(/checks\[0\]\.rowCount: needs min and\/or max/);
    expect(() => validateChecks([{ query: "select 1" }, { nullRatio: { table: "t", column: "c", max: 2 } }])).toThrow(/checks\[1\]\.nullRatio/);
    expect(() => validateChecks([{ rowCount: { table: "t", min: 1 }, query: "x" } as unknown as SqlCheck])).toThrow(/exactly one of/);
    expect(() => validateChecks([{ unique: { table: "t", columns: [] } }])).toThrow(/columns/);
  });
});

describe("check evaluation", () => {
  it("rowCount compares the count (drivers may return it as text) with min and max", () => {
    const check: SqlCheck = { rowCount: { table: "t", min: 1, max: 10 } };
    expect(run(check, { value: "5" })).toMatchObject({ passed: true, value: 5 });
    expect(run(check, { value: 0 })).toMatchObject({ passed: false, value: 0, expected: "row count >= 1 and <= 10" });
    expect(run(check, { value: 11n })).toMatchObject({ passed: false, value: 11 });
  });

  it("nullRatio is nulls/total, 0 for an empty table", () => {
    const check: SqlCheck = { nullRatio: { table: "t", column: "c", max: 0.1 } };
    expect(run(check, { total: 10, nulls: 1 })).toMatchObject({ passed: true, value: 0.1 });
    expect(run(check, { total: "4", nulls: "1" })).toMatchObject({ passed: false, value: 0.25 });
    expect(run(check, { total: 0, nulls: 0 })).toMatchObject({ passed: true, value: 0 });
  });

  it("unique passes with no duplicated key; query needs a true first column", () => {
    expect(run({ unique: { table: "t", columns: ["id"] } }, { value: 2 })).toMatchObject({ passed: false, value: 2 });
    expect(run({ query: "q" }, { ok: true })).toMatchObject({ passed: true });
    expect(run({ query: "q" }, { ok: 1 })).toMatchObject({ passed: true, value: true });
    expect(run({ query: "q" }, { ok: "f" })).toMatchObject({ passed: false, value: false });
    expect(run({ query: "q" }, undefined)).toMatchObject({ passed: false, value: null });
  });

  it("compareWithPrevious accepts a change within ±pct, and a first run without a previous value", () => {
    const check: SqlCheck = { compareWithPrevious: { sql: "q", pct: 10 } };
    expect(run(check, { current: 105, previous: 100 })).toMatchObject({ passed: true, value: { current: 105, previous: 100, changePct: 5 } });
    expect(run(check, { current: 80, previous: 100 })).toMatchObject({ passed: false, value: { changePct: 20 } });
    expect(run(check, { current: 3, previous: null })).toMatchObject({ passed: true, value: { previous: null } });
    expect(run(check, { current: 1, previous: 0 })).toMatchObject({ passed: false });
    expect(run(check, { current: null, previous: 1 })).toMatchObject({ passed: false });
  });
});
