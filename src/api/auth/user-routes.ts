import type { FastifyInstance } from "fastify";
import type { UserRecord } from "../../core/model/records.js";
import type { AuthStore } from "../../core/ports/auth-store.js";
import { noteAudit } from "../audit/audit-note.js";
import { rejectInvalidInput, sendError } from "./api-errors.js";
import type { AuthContext } from "./authenticate.js";
import { createUserSchema, deleteUserSchema, listUsersSchema, patchUserSchema, type CreateUserBody, type PatchUserBody } from "./auth-schemas.js";
import { hashPassword } from "./password-hash.js";
import { LOCAL_ADMIN } from "./principal.js";
import { sha256Hex } from "./secrets.js";
import { SESSION_COOKIE } from "./session-cookie.js";

function userView(u: UserRecord) {
  return { username: u.username, role: u.role, disabled: u.disabled, createdAt: new Date(u.createdAt).toISOString() };
}

const isEnabledAdmin = (u: UserRecord) => u.role === "admin" && !u.disabled;

/** True when `user` is the only enabled admin. Not atomic with the write that follows (the port has no transaction). */
async function isLastAdmin(auth: AuthStore, user: UserRecord): Promise<boolean> {
  if (!isEnabledAdmin(user)) return false;
  return (await auth.listUsers()).filter(isEnabledAdmin).length <= 1;
}

const LAST_ADMIN = "is the last enabled admin; make another user admin first";

/** GET/POST /api/v1/users, PATCH/DELETE /api/v1/users/:username (admin). */
export function registerUserRoutes(app: FastifyInstance, ctx: AuthContext): void {
  const validated = (audit: string) => ({ config: { role: "admin" as const, audit }, attachValidation: true, preHandler: rejectInvalidInput });

  app.get("/api/v1/users", { schema: listUsersSchema, config: { role: "admin" } }, async () => {
    const users = await ctx.auth.listUsers();
    return { users: users.map(userView) };
  });

  app.post<{ Body: CreateUserBody }>("/api/v1/users", { schema: createUserSchema, ...validated("user.create") }, async (request, reply) => {
    const { username, password, role } = request.body;
    if (username === LOCAL_ADMIN) return sendError(reply, "invalid_input", `username: "${LOCAL_ADMIN}" is reserved`, "username");
    const user: UserRecord = { username, role, passwordHash: await hashPassword(password), disabled: false, createdAt: ctx.now() };
    if (!(await ctx.auth.createUser(user))) return sendError(reply, "conflict", `user "${username}" already exists`);
    request.log.info({ username, role, by: request.principal?.username }, "user created");
    noteAudit(request, { target: { type: "user", id: username }, after: { role, disabled: false } });
    return reply.code(201).send(userView(user));
  });

  app.patch<{ Params: { username: string }; Body: PatchUserBody }>(
    "/api/v1/users/:username",
    { schema: patchUserSchema, ...validated("user.update") },
    async (request, reply) => {
      const { username } = request.params;
      const { role, password, disabled } = request.body;
      const user = await ctx.auth.getUser(username);
      if (!user) return sendError(reply, "not_found", `user "${username}" not found`);
      const demotes = (role !== undefined && role !== "admin") || disabled === true;
      if (demotes && (await isLastAdmin(ctx.auth, user))) return sendError(reply, "conflict", `user "${username}" ${LAST_ADMIN}`);
      const patch: Partial<Pick<UserRecord, "role" | "passwordHash" | "disabled">> = {};
      if (role !== undefined) patch.role = role;
      if (disabled !== undefined) patch.disabled = disabled;
      if (password !== undefined) patch.passwordHash = await hashPassword(password);
      if (!(await ctx.auth.updateUser(username, patch))) return sendError(reply, "not_found", `user "${username}" not found`);
      // A new password or a disabled account ends the user's logins (a stolen session with them);
      // the session making a change to its own password stays. API tokens are kept: revoke them apart.
      let sessionsEnded = 0;
      if (password !== undefined || disabled === true) {
        const p = request.principal;
        const cookie = request.cookies[SESSION_COOKIE];
        const keep = disabled !== true && p?.via === "session" && p.username === username && cookie ? sha256Hex(cookie) : undefined;
        sessionsEnded = await ctx.auth.deleteUserSessions(username, keep);
      }
      request.log.info({ username, role, disabled, passwordChanged: password !== undefined, sessionsEnded, by: request.principal?.username }, "user updated");
      noteAudit(request, {
        target: { type: "user", id: username },
        before: { role: user.role, disabled: user.disabled },
        after: { role: patch.role ?? user.role, disabled: patch.disabled ?? user.disabled },
        details: { passwordChanged: password !== undefined, sessionsEnded },
      });
      return userView({ ...user, ...patch });
    },
  );

  app.delete<{ Params: { username: string } }>("/api/v1/users/:username", { schema: deleteUserSchema, ...validated("user.delete") }, async (request, reply) => {
    const { username } = request.params;
    const user = await ctx.auth.getUser(username);
    if (!user) return sendError(reply, "not_found", `user "${username}" not found`);
    if (await isLastAdmin(ctx.auth, user)) return sendError(reply, "conflict", `user "${username}" ${LAST_ADMIN}`);
    await ctx.auth.deleteUser(username);
    request.log.info({ username, by: request.principal?.username }, "user deleted");
    noteAudit(request, { target: { type: "user", id: username }, before: { role: user.role, disabled: user.disabled } });
    return reply.code(204).send();
  });
}
