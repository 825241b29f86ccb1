import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../core/errors.js";
import type { ApiTokenRecord, SessionRecord, UserRecord } from "../../core/model/records.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

const user = (username: string, overrides: Partial<UserRecord> = {}): UserRecord => ({
  username,
  role: "user",
  passwordHash: `scrypt$16384$8$1$c2FsdA==$${username}`,
  disabled: false,
  createdAt: T0,
  ...overrides,
});

const token = (id: string, username: string, overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord => ({
  id,
  username,
  name: `${id} for ${username}`,
  role: "viewer",
  secretHash: "a".repeat(64),
  createdAt: T0,
  expiresAt: null,
  lastUsedAt: null,
  ...overrides,
});

const session = (idHash: string, username: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  idHash,
  username,
  csrfToken: `csrf-${idHash}`,
  createdAt: T0,
  expiresAt: T0 + 3_600_000,
  ...overrides,
});

export function describeAuthContract(sut: StoreUnderTest): void {
  describe("users", () => {
    it("createUser stores a user that getUser reads back unchanged", async () => {
      const alice = user("alice", { role: "admin" });
      const ünï = user("ünï «ç» 🎉", { disabled: true, createdAt: 0 });
      expect(await sut.store.createUser(alice)).toBe(true);
      expect(await sut.store.createUser(ünï)).toBe(true);
      expect(await sut.store.getUser("alice")).toEqual(alice);
      expect(await sut.store.getUser(ünï.username)).toEqual(ünï);
      expect(await sut.store.getUser("nobody")).toBeUndefined();
    });

    it("createUser returns false on a taken username, without throwing or overwriting", async () => {
      const alice = user("alice", { role: "admin" });
      expect(await sut.store.createUser(alice)).toBe(true);
      expect(await sut.store.createUser(user("alice", { role: "viewer", passwordHash: "other" }))).toBe(false);
      expect(await sut.store.getUser("alice")).toEqual(alice);
      expect(await sut.store.listUsers()).toEqual([alice]);
    });

    it("listUsers orders by username and includes disabled users", async () => {
      await sut.store.createUser(user("carol"));
      await sut.store.createUser(user("alice", { disabled: true }));
      await sut.store.createUser(user("bob"));
      expect((await sut.store.listUsers()).map((u) => [u.username, u.disabled])).toEqual([
        ["alice", true],
        ["bob", false],
        ["carol", false],
      ]);
    });

    it("updateUser sets only the given fields and returns false for an unknown user", async () => {
      const bob = user("bob");
      await sut.store.createUser(bob);
      expect(await sut.store.updateUser("bob", { role: "op" })).toBe(true);
      expect(await sut.store.getUser("bob")).toEqual({ ...bob, role: "op" });
      expect(await sut.store.updateUser("bob", { disabled: true, passwordHash: "scrypt$new" })).toBe(true);
      expect(await sut.store.getUser("bob")).toEqual({ ...bob, role: "op", disabled: true, passwordHash: "scrypt$new" });
      expect(await sut.store.updateUser("bob", { disabled: false })).toBe(true);
      expect((await sut.store.getUser("bob"))?.disabled).toBe(false);

      expect(await sut.store.updateUser("nobody", { role: "admin" })).toBe(false);
      expect(await sut.store.getUser("nobody")).toBeUndefined();
    });

    it("updateUser with an empty patch changes nothing and still reports whether the user exists", async () => {
      const bob = user("bob");
      await sut.store.createUser(bob);
      expect(await sut.store.updateUser("bob", {})).toBe(true);
      expect(await sut.store.updateUser("nobody", {})).toBe(false);
      expect(await sut.store.getUser("bob")).toEqual(bob);
    });

    it("countUsersWithRole counts every user with the role, disabled ones included", async () => {
      expect(await sut.store.countUsersWithRole("admin")).toBe(0);
      await sut.store.createUser(user("a1", { role: "admin" }));
      await sut.store.createUser(user("a2", { role: "admin", disabled: true }));
      await sut.store.createUser(user("v1", { role: "viewer" }));
      expect(await sut.store.countUsersWithRole("admin")).toBe(2);
      expect(await sut.store.countUsersWithRole("viewer")).toBe(1);
      expect(await sut.store.countUsersWithRole("op")).toBe(0);
      await sut.store.updateUser("a1", { role: "op" });
      expect(await sut.store.countUsersWithRole("admin")).toBe(1);
      expect(await sut.store.countUsersWithRole("op")).toBe(1);
    });

    it("deleteUser removes the user with its tokens and sessions, and nobody else's", async () => {
      await sut.store.createUser(user("alice"));
      await sut.store.createUser(user("bob"));
      await sut.store.createToken(token("tok_a1", "alice"));
      await sut.store.createToken(token("tok_a2", "alice"));
      await sut.store.createToken(token("tok_b1", "bob"));
      await sut.store.createSession(session("s_a", "alice"));
      await sut.store.createSession(session("s_b", "bob"));

      expect(await sut.store.deleteUser("alice")).toBe(true);

      expect(await sut.store.getUser("alice")).toBeUndefined();
      expect(await sut.store.getToken("tok_a1")).toBeUndefined();
      expect(await sut.store.listTokens("alice")).toEqual([]);
      expect(await sut.store.getSession("s_a")).toBeUndefined();
      expect((await sut.store.listTokens()).map((t) => t.id)).toEqual(["tok_b1"]);
      expect(await sut.store.getSession("s_b")).toEqual(session("s_b", "bob"));
      expect(await sut.store.deleteUser("alice")).toBe(false);
    });

    it("a user re-created under a deleted name inherits none of the old tokens or sessions", async () => {
      await sut.store.createUser(user("alice"));
      await sut.store.createToken(token("tok_old", "alice"));
      await sut.store.createSession(session("s_old", "alice"));
      await sut.store.deleteUser("alice");
      expect(await sut.store.createUser(user("alice", { role: "viewer" }))).toBe(true);
      expect(await sut.store.listTokens("alice")).toEqual([]);
      expect(await sut.store.getSession("s_old")).toBeUndefined();
    });
  });

  describe("API tokens", () => {
    it("createToken stores a token that getToken finds by id, expired or not", async () => {
      await sut.store.createUser(user("alice", { role: "admin" }));
      const forever = token("tok_forever", "alice", { role: "op", name: "CI «deploy» 🚀" });
      const expired = token("tok_expired", "alice", { expiresAt: T0 - 1, lastUsedAt: 0 });
      await sut.store.createToken(forever);
      await sut.store.createToken(expired);
      expect(await sut.store.getToken("tok_forever")).toEqual(forever);
      expect(await sut.store.getToken("tok_expired")).toEqual(expired);
      expect(await sut.store.getToken("tok_missing")).toBeUndefined();
    });

    it("createToken for an unknown user is NotFoundError naming the user, and stores nothing", async () => {
      await expect(sut.store.createToken(token("tok_x", "ghost"))).rejects.toBeInstanceOf(NotFoundError);
      await expect(sut.store.createToken(token("tok_x", "ghost"))).rejects.toThrow(/ghost/);
      expect(await sut.store.getToken("tok_x")).toBeUndefined();
    });

    it("createToken with a duplicate id fails and keeps the first token", async () => {
      await sut.store.createUser(user("alice"));
      const first = token("tok_dup", "alice");
      await sut.store.createToken(first);
      await expect(sut.store.createToken(token("tok_dup", "alice", { name: "second" }))).rejects.toThrow();
      expect(await sut.store.getToken("tok_dup")).toEqual(first);
    });

    it("listTokens lists everyone's or one user's, oldest first, ties by id", async () => {
      await sut.store.createUser(user("alice"));
      await sut.store.createUser(user("bob"));
      await sut.store.createToken(token("tok_c", "alice", { createdAt: T0 + 2 }));
      await sut.store.createToken(token("tok_b", "bob", { createdAt: T0 + 1 }));
      await sut.store.createToken(token("tok_a", "alice", { createdAt: T0 + 2 }));
      await sut.store.createToken(token("tok_z", "alice", { createdAt: T0 }));
      expect((await sut.store.listTokens()).map((t) => t.id)).toEqual(["tok_z", "tok_b", "tok_a", "tok_c"]);
      expect((await sut.store.listTokens("alice")).map((t) => t.id)).toEqual(["tok_z", "tok_a", "tok_c"]);
      expect(await sut.store.listTokens("nobody")).toEqual([]);
    });

    it("touchToken sets lastUsedAt only; an unknown id is a no-op", async () => {
      await sut.store.createUser(user("alice"));
      const t = token("tok_1", "alice", { expiresAt: T0 + 1000 });
      await sut.store.createToken(t);
      await sut.store.touchToken("tok_1", T0 + 5);
      expect(await sut.store.getToken("tok_1")).toEqual({ ...t, lastUsedAt: T0 + 5 });
      await sut.store.touchToken("tok_1", T0 + 9);
      expect((await sut.store.getToken("tok_1"))?.lastUsedAt).toBe(T0 + 9);
      await sut.store.touchToken("tok_missing", T0);
      expect(await sut.store.getToken("tok_missing")).toBeUndefined();
    });

    it("deleteToken removes one token and returns false for an unknown one", async () => {
      await sut.store.createUser(user("alice"));
      await sut.store.createToken(token("tok_1", "alice"));
      await sut.store.createToken(token("tok_2", "alice"));
      expect(await sut.store.deleteToken("tok_1")).toBe(true);
      expect(await sut.store.getToken("tok_1")).toBeUndefined();
      expect(await sut.store.deleteToken("tok_1")).toBe(false);
      expect((await sut.store.listTokens("alice")).map((t) => t.id)).toEqual(["tok_2"]);
      expect(await sut.store.getUser("alice")).toBeDefined();
    });
  });

  describe("sessions", () => {
    it("createSession stores a session that getSession finds by id hash", async () => {
      await sut.store.createUser(user("alice"));
      const s = session("f".repeat(64), "alice");
      await sut.store.createSession(s);
      expect(await sut.store.getSession(s.idHash)).toEqual(s);
      expect(await sut.store.getSession("e".repeat(64))).toBeUndefined();
    });

    it("createSession for an unknown user is NotFoundError and stores nothing", async () => {
      await expect(sut.store.createSession(session("s_x", "ghost"))).rejects.toBeInstanceOf(NotFoundError);
      expect(await sut.store.getSession("s_x")).toBeUndefined();
    });

    it("deleteSession logs one session out; an unknown one is a no-op", async () => {
      await sut.store.createUser(user("alice"));
      await sut.store.createSession(session("s_1", "alice"));
      await sut.store.createSession(session("s_2", "alice"));
      await sut.store.deleteSession("s_1");
      await sut.store.deleteSession("s_1");
      expect(await sut.store.getSession("s_1")).toBeUndefined();
      expect(await sut.store.getSession("s_2")).toBeDefined();
    });

    it("deleteUserSessions ends one user's sessions, optionally but one, and counts them", async () => {
      await sut.store.createUser(user("alice"));
      await sut.store.createUser(user("bob"));
      for (const id of ["s_a1", "s_a2", "s_a3"]) await sut.store.createSession(session(id, "alice"));
      await sut.store.createSession(session("s_b", "bob"));

      expect(await sut.store.deleteUserSessions("alice", "s_a2")).toBe(2);
      expect(await sut.store.getSession("s_a1")).toBeUndefined();
      expect(await sut.store.getSession("s_a3")).toBeUndefined();
      expect(await sut.store.getSession("s_a2")).toEqual(session("s_a2", "alice"));
      expect(await sut.store.getSession("s_b")).toEqual(session("s_b", "bob"));

      expect(await sut.store.deleteUserSessions("alice")).toBe(1);
      expect(await sut.store.getSession("s_a2")).toBeUndefined();
      expect(await sut.store.deleteUserSessions("alice")).toBe(0);
      expect(await sut.store.deleteUserSessions("ghost")).toBe(0);
      expect(await sut.store.getUser("alice")).toBeDefined();
    });

    it("deleteExpiredSessions removes sessions with expiresAt <= now and keeps the rest", async () => {
      await sut.store.createUser(user("alice"));
      await sut.store.createUser(user("bob"));
      await sut.store.createSession(session("s_past", "alice", { expiresAt: T0 - 1 }));
      await sut.store.createSession(session("s_now", "bob", { expiresAt: T0 }));
      await sut.store.createSession(session("s_future", "alice", { expiresAt: T0 + 1 }));

      await sut.store.deleteExpiredSessions(T0);

      expect(await sut.store.getSession("s_past")).toBeUndefined();
      expect(await sut.store.getSession("s_now")).toBeUndefined();
      expect(await sut.store.getSession("s_future")).toEqual(session("s_future", "alice", { expiresAt: T0 + 1 }));
      expect(await sut.store.getUser("bob")).toBeDefined();
    });
  });
}
