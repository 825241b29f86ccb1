import type { AuditActor } from "../../core/model/audit.js";
import type { Principal } from "../auth/principal.js";

/** The anonymous admin of local mode, as audit entries name it. */
export const LOCAL_ACTOR = "local";

/** Who a request acted as: the username (session or token, with the token's id), or `local`. */
export function actorOf(principal: Principal | null): AuditActor {
  if (principal === null) return { name: "anonymous", via: "login", tokenId: null };
  if (principal.via === "local") return { name: LOCAL_ACTOR, via: "local", tokenId: null };
  return { name: principal.username, via: principal.via, tokenId: principal.tokenId };
}

/** The `triggeredBy` of a run a request creates. */
export function triggeredByOf(principal: Principal | null): string {
  return actorOf(principal).name;
}
