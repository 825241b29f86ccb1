/** The signed-in user, shared through context, and what their role allows. */
import { createContext, useContext } from "react";
import type { Me, Role } from "../api/types";

const RANK: Record<Role, number> = { viewer: 0, user: 1, op: 2, admin: 3 };

export const MeContext = createContext<Me | null>(null);

export function useCurrentUser(): Me | null {
  return useContext(MeContext);
}

/** null when allowed, else the reason to show in a tooltip. */
export function useDenied(need: Role = "user"): string | null {
  const me = useCurrentUser();
  if (!me) return null;
  return RANK[me.role] >= RANK[need] ? null : `Your role (${me.role}) cannot do this; it needs ${need} or above`;
}
