import { randomBytes } from "node:crypto";
import { createApiToken, hashPassword } from "../../api/auth/index.js";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { ROLES, type Role } from "../../core/model/records.js";
import { recordCliAudit } from "../cli-audit.js";
import { iso, printJson, printTable } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

function role(text: string | undefined, fallback: Role): Role {
  const r = (text ?? fallback) as Role;
  if (!ROLES.includes(r)) throw new InvalidInputError(`--role "${text}" is not one of: ${ROLES.join(", ")}`);
  return r;
}

export async function usersCreate(username: string, opts: CommonOptions & { role?: string; password?: string }): Promise<number> {
  return withRuntime(opts, async (rt) => {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(username)) throw new InvalidInputError("username may use letters, digits and _.@- (1–64)");
    const password = opts.password ?? randomBytes(18).toString("base64url");
    const created = await rt.store.createUser({
      username,
      role: role(opts.role, "viewer"),
      passwordHash: await hashPassword(password),
      disabled: false,
      createdAt: Date.now(),
    });
    if (!created) throw new InvalidInputError(`user "${username}" already exists`);
    await recordCliAudit(rt.store, "user.create", {
      command: "users create",
      target: { type: "user", id: username },
      after: { role: role(opts.role, "viewer"), disabled: false },
    });
    if (opts.json) printJson({ username, role: role(opts.role, "viewer"), ...(opts.password ? {} : { password }) });
    else process.stdout.write(`Created user ${username} (${role(opts.role, "viewer")})${opts.password ? "" : ` with password: ${password}`}\n`);
    return 0;
  });
}

export async function usersSetPassword(username: string, opts: CommonOptions & { password?: string }): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const password = opts.password ?? randomBytes(18).toString("base64url");
    if (!(await rt.store.updateUser(username, { passwordHash: await hashPassword(password) }))) throw new NotFoundError(`no user "${username}"`);
    // Logged-in browsers must sign in again with the new password; API tokens are kept.
    const ended = await rt.store.deleteUserSessions(username);
    await recordCliAudit(rt.store, "user.update", {
      command: "users set-password",
      target: { type: "user", id: username },
      details: { passwordChanged: true, sessionsEnded: ended },
    });
    process.stdout.write(opts.password ? `Password of ${username} changed.\n` : `New password of ${username}: ${password}\n`);
    if (ended > 0) process.stdout.write(`Ended ${ended} login session(s) of ${username}.\n`);
    return 0;
  });
}

export async function usersList(opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const rows = (await rt.store.listUsers()).map((u) => ({ username: u.username, role: u.role, disabled: u.disabled, createdAt: iso(u.createdAt) }));
    if (opts.json) printJson(rows);
    else printTable(rows, ["username", "role", "disabled", "createdAt"]);
    return 0;
  });
}

export async function usersDelete(username: string, opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const user = await rt.store.getUser(username);
    if (!user || !(await rt.store.deleteUser(username))) throw new NotFoundError(`no user "${username}"`);
    await recordCliAudit(rt.store, "user.delete", {
      command: "users delete",
      target: { type: "user", id: username },
      before: { role: user.role, disabled: user.disabled },
    });
    process.stdout.write(`Deleted user ${username}.\n`);
    return 0;
  });
}

/** Prints a new API token once. */
export async function tokensCreate(opts: CommonOptions & { user?: string; name?: string; role?: string; expiresInDays?: string }): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const username = opts.user ?? "admin";
    const user = await rt.store.getUser(username);
    if (!user) throw new NotFoundError(`no user "${username}"; create one with \`baton users create\``);
    const days = opts.expiresInDays === undefined ? null : Number(opts.expiresInDays);
    if (days !== null && (!Number.isFinite(days) || days <= 0)) throw new InvalidInputError("--expires-in-days must be a positive number");
    const { record, token } = await createApiToken(rt.store, username, opts.name ?? "cli", role(opts.role, user.role), days, Date.now());
    await recordCliAudit(rt.store, "token.create", {
      command: "tokens create",
      target: { type: "token", id: record.id },
      after: { name: record.name, role: record.role, owner: record.username, expiresAt: iso(record.expiresAt) },
    });
    if (opts.json) printJson({ id: record.id, name: record.name, role: record.role, token, expiresAt: iso(record.expiresAt) });
    else process.stdout.write(`${token}\n`);
    return 0;
  });
}
