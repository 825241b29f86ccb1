import type { FastifyInstance } from "fastify";
import type { ApiTokenRecord } from "../../core/model/records.js";
import { noteAudit } from "../audit/audit-note.js";
import { rejectInvalidInput, sendCoreError, sendError } from "./api-errors.js";
import { createApiToken } from "./api-token.js";
import type { AuthContext } from "./authenticate.js";
import { createTokenSchema, deleteTokenSchema, listTokensSchema, type CreateTokenBody } from "./auth-schemas.js";
import { roleAtLeast, type Principal } from "./principal.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function tokenSummary(t: ApiTokenRecord) {
  return { id: t.id, name: t.name, role: t.role, createdAt: iso(t.createdAt), expiresAt: iso(t.expiresAt), lastUsedAt: iso(t.lastUsedAt) };
}

/** The hook guarantees a principal on non-public routes; this narrows the type. */
function principalOf(p: Principal | null): Principal {
  if (!p) throw new Error("auth hook did not run: route is missing its principal");
  return p;
}

/** GET/POST /api/v1/auth/tokens, DELETE /api/v1/auth/tokens/:id. Users see their own tokens; admins all. */
export function registerTokenRoutes(app: FastifyInstance, ctx: AuthContext): void {
  app.get("/api/v1/auth/tokens", { schema: listTokensSchema, config: { role: "viewer" } }, async (request) => {
    const p = principalOf(request.principal);
    const tokens = await ctx.auth.listTokens(p.role === "admin" ? undefined : p.username);
    return { tokens: tokens.map(tokenSummary) };
  });

  app.post<{ Body: CreateTokenBody }>(
    "/api/v1/auth/tokens",
    { schema: createTokenSchema, config: { role: "viewer", audit: "token.create" }, attachValidation: true, preHandler: rejectInvalidInput },
    async (request, reply) => {
      const p = principalOf(request.principal);
      if (p.via === "local") {
        return sendError(reply, "invalid_input", "the anonymous local admin has no user account to own a token; log in as a user first");
      }
      const role = request.body.role ?? p.role;
      // Capped by the principal, not only the user: a viewer-scoped token of an admin cannot mint an admin token.
      if (!roleAtLeast(p.role, role)) {
        return sendError(reply, "invalid_input", `role: cannot create a token with role "${role}" above your role "${p.role}"`, "role");
      }
      try {
        const { record, token } = await createApiToken(ctx.auth, p.username, request.body.name, role, request.body.expiresInDays ?? null, ctx.now());
        request.log.info({ tokenId: record.id, username: record.username, role: record.role }, "API token created");
        noteAudit(request, {
          target: { type: "token", id: record.id },
          after: { name: record.name, role: record.role, owner: record.username, expiresAt: iso(record.expiresAt) },
        });
        const { lastUsedAt: _unused, ...created } = tokenSummary(record);
        return reply
          .code(201)
          .header("cache-control", "no-store")
          .send({ ...created, token });
      } catch (e) {
        return sendCoreError(reply, e);
      }
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/v1/auth/tokens/:id",
    { schema: deleteTokenSchema, config: { role: "viewer", audit: "token.delete" }, attachValidation: true, preHandler: rejectInvalidInput },
    async (request, reply) => {
      const p = principalOf(request.principal);
      const token = await ctx.auth.getToken(request.params.id);
      // Someone else's token reads as missing: ids are not confirmed to non-admins.
      if (!token || (p.role !== "admin" && token.username !== p.username)) {
        return sendError(reply, "not_found", `API token "${request.params.id}" not found`);
      }
      await ctx.auth.deleteToken(token.id);
      noteAudit(request, { target: { type: "token", id: token.id }, before: { name: token.name, role: token.role, owner: token.username } });
      request.log.info({ tokenId: token.id, username: token.username }, "API token deleted");
      return reply.code(204).send();
    },
  );
}
