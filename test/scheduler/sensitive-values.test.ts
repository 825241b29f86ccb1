import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { isSealedOutput } from "../../src/core/ports/output-sealer.js";
import { CipherOutputSealer } from "../../src/secrets/output-sealer.js";
import { SecretCipher } from "../../src/secrets/secret-cipher.js";
import { HEADER, Harness } from "../support/harness.js";

// Issue 8, item 2: a task marked `sensitive` has its value sealed at rest, yet its downstream
// tasks (plain and mapped) receive the real value.
let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

// The values are built at run time so that the DAG's source (stored too) does not hold them.
const DAG = `${HEADER}export default dag({ id: "s" }, (d) => {
  const token = d.task("token", { sensitive: true }, () => ({ token: ["tok", "VALUE", "42x"].join("-") }));
  const keys = d.task("keys", { sensitive: true }, () => ["k1", "k2"].map((k) => k + "-" + ["KEY", "VALUE"].join("")));
  const each = d.task("each", { map: { k: keys }, sensitive: true }, (ctx, { k }) => k.toLowerCase());
  d.task("use", { inputs: { t: token, all: each } }, (ctx, { t, all }) => ({ tokenLength: t.token.length, startsWith: t.token.slice(0, 4), all: all.map((s) => s.length) }));
  d.task("use_copy", { map: { k: keys } }, (ctx, { k }) => k.length);
  d.task("use_token", { inputs: { t: token } }, (ctx, { t }) => t.token.length);
});
`;

describe("sensitive return values in the scheduler", () => {
  it("stores them sealed (mapped copies and their list too) and hands downstream tasks the real values", async () => {
    h = new Harness({ "s.ts": DAG });
    expect((await h.load()).errors).toEqual([]);
    await h.start({ sealer: new CipherOutputSealer(() => new SecretCipher(randomBytes(32))) });
    const { run, tis } = await h.runToEnd("s");
    expect(run.state).toBe("success");
    const byKey = Object.fromEntries(tis.map((t) => [t.mapIndex < 0 ? t.taskId : `${t.taskId}[${t.mapIndex}]`, t]));
    for (const key of ["token", "keys", "each", "each[0]", "each[1]"]) expect(isSealedOutput(byKey[key]!.output), key).toBe(true);
    expect(JSON.parse(byKey.use!.output!)).toEqual({ tokenLength: 13, startsWith: "tok-", all: [11, 11] });
    expect(byKey["use_copy[0]"]!.output).toBe("11");
    expect(byKey.use_copy!.output).toBe("[11,11]");
    expect(byKey.use_token!.output).toBe("13");
    await h.stop();
    const db = readFileSync(h.dbPath).toString("latin1") + readFileSync(`${h.dbPath}-wal`, { flag: "a+" }).toString("latin1");
    for (const secret of ["tok-VALUE-42x", "KEYVALUE", "keyvalue"]) expect(db.includes(secret), `the database file holds ${secret}`).toBe(false);
  });

  it("a value sealed with another key fails the tasks that need it, naming why; the scheduler goes on", async () => {
    h = new Harness({ "s.ts": DAG });
    expect((await h.load()).errors).toEqual([]);
    const before = new CipherOutputSealer(() => new SecretCipher(randomBytes(32)));
    const after = new CipherOutputSealer(() => new SecretCipher(randomBytes(32)));
    // As if the scheduler restarted with another BATON_SECRET_KEY between upstream and downstream.
    await h.start({ sealer: { seal: (json, context) => before.seal(json, context), open: (sealed, context) => after.open(sealed, context) } });
    const { run, tis } = await h.runToEnd("s");
    expect(run.state).toBe("failed");
    const own = Object.fromEntries(tis.filter((t) => t.mapIndex < 0).map((t) => [t.taskId, t]));
    expect(own.token!.state).toBe("success");
    expect(own.use!.state).toMatch(/failed/);
    expect(own.use_token!.state).toBe("failed");
    expect(own.use_token!.error).toMatch(/cannot read the sensitive return value of task "token": cannot decrypt .*wrong key/);
    for (const task of ["each", "use_copy"]) {
      expect(own[task]!.state).toBe("failed");
      expect(own[task]!.error).toMatch(/cannot read the sensitive return value of task "keys": cannot decrypt .*wrong key/);
    }
    const plain = await h.trigger("s");
    expect((await h.scheduler.waitForRun(plain.id)).state).toBe("failed");
  });

  it('without a sealer, stores "***" (and downstream tasks receive it)', async () => {
    h = new Harness({
      "s.ts": `${HEADER}export default dag({ id: "s" }, (d) => {
  const t = d.task("t", { sensitive: true }, () => ["hid", "den"].join(""));
  d.task("use", { inputs: { t } }, (ctx, { t }) => t);
});
`,
    });
    expect((await h.load()).errors).toEqual([]);
    await h.start();
    const { tis } = await h.runToEnd("s");
    expect(Object.fromEntries(tis.map((t) => [t.taskId, t.output]))).toEqual({ t: '"***"', use: '"***"' });
  });
});
