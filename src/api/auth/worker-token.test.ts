import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/errors.js";
import type { FullStore } from "../../store/full-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { createWorkerToken, parseWorkerToken, verifyWorkerToken } from "./worker-token.js";

const T0 = 1_700_000_000_000;

describe("parseWorkerToken", () => {
  const secret = "a".repeat(20) + "_-" + "b".repeat(21);

  it("splits batonw_<id>_<secret>, where the secret may contain _ and -", () => {
    expect(parseWorkerToken(`batonw_0123456789ab_${secret}`)).toEqual({ id: "0123456789ab", secret });
  });

  it("rejects anything else, a user's API token included", () => {
    for (const bad of [
      "",
      "batonw_",
      `baton_0123456789ab_${secret}`,
      `batonw_0123456789a_${secret}`,
      `batonw_0123456789AB_${secret}`,
      `batonw_0123456789ab_${secret}x`,
      `batonw_0123456789ab_${secret.slice(1)}=`,
    ]) {
      expect(parseWorkerToken(bad)).toBeNull();
    }
  });
});

describe("worker tokens", () => {
  let store: FullStore;
  beforeEach(async () => {
    store = await openSqliteStore(":memory:");
  });
  afterEach(async () => {
    await store.close();
  });

  it("creates a token, returns its text once and stores only the sha256 of its secret", async () => {
    const { record, token } = await createWorkerToken(store.workers, { name: "gpu box", queues: ["gpu", "gpu", "io.batch"], createdBy: "admin" }, T0);
    const parsed = parseWorkerToken(token);
    expect(parsed?.id).toBe(record.id);
    expect(record).toEqual({
      id: parsed!.id,
      name: "gpu box",
      secretHash: createHash("sha256").update(parsed!.secret).digest("hex"),
      queues: ["gpu", "io.batch"],
      createdBy: "admin",
      createdAt: T0,
      lastSeenAt: null,
      revokedAt: null,
    });
    expect(await store.workers.getWorkerToken(record.id)).toEqual(record);
    expect(JSON.stringify(await store.workers.listWorkerTokens())).not.toContain(parsed!.secret);
  });

  it("null queues means any queue", async () => {
    const { record } = await createWorkerToken(store.workers, { name: "any", queues: null, createdBy: null }, T0);
    expect((await store.workers.getWorkerToken(record.id))?.queues).toBeNull();
  });

  it("refuses a bad name or queue with InvalidInputError naming the field", async () => {
    const cases: [string, string[] | null, RegExp][] = [
      ["", null, /^name:/],
      ["   ", null, /^name:/],
      ["x".repeat(101), null, /^name:/],
      ["ok", [], /^queues:/],
      ["ok", ["fine", "not fine"], /^queues: "not fine"/],
      ["ok", ["q".repeat(65)], /^queues:/],
    ];
    for (const [name, queues, message] of cases) {
      const err = await createWorkerToken(store.workers, { name, queues, createdBy: null }, T0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toMatch(message);
    }
    expect(await store.workers.listWorkerTokens()).toEqual([]);
    await expect(createWorkerToken(store.workers, { name: "x".repeat(100), queues: ["q".repeat(64)], createdBy: null }, T0)).resolves.toBeDefined();
  });

  it("verifies the exact token; null for a wrong secret, an unknown id, garbage or a revoked token", async () => {
    const { record, token } = await createWorkerToken(store.workers, { name: "w", queues: null, createdBy: null }, T0);
    expect(await verifyWorkerToken(store.workers, token, T0 + 1)).toMatchObject({ id: record.id, lastSeenAt: T0 + 1 });
    const last = token.at(-1) === "A" ? "B" : "A";
    expect(await verifyWorkerToken(store.workers, token.slice(0, -1) + last, T0 + 2)).toBeNull();
    expect(await verifyWorkerToken(store.workers, token.replace(record.id, "000000000000"), T0 + 2)).toBeNull();
    expect(await verifyWorkerToken(store.workers, "Bearer nonsense", T0 + 2)).toBeNull();
    expect(await store.workers.revokeWorkerToken(record.id, T0 + 3)).toBe(true);
    expect(await verifyWorkerToken(store.workers, token, T0 + 4)).toBeNull();
  });

  it("records lastSeenAt at most once a minute", async () => {
    const { record, token } = await createWorkerToken(store.workers, { name: "w", queues: null, createdBy: null }, T0);
    await verifyWorkerToken(store.workers, token, T0 + 1_000);
    await verifyWorkerToken(store.workers, token, T0 + 30_000);
    expect((await store.workers.getWorkerToken(record.id))?.lastSeenAt).toBe(T0 + 1_000);
    await verifyWorkerToken(store.workers, token, T0 + 61_000);
    expect((await store.workers.getWorkerToken(record.id))?.lastSeenAt).toBe(T0 + 61_000);
  });
});
