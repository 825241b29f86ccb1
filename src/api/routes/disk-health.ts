import { statfs } from "node:fs/promises";
import type { InfraErrors } from "../../core/ports/infra-errors.js";
import { obj, str, stringEnum, time } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

export const diskSchema = obj({
  status: stringEnum(["ok", "low", "full", "unknown"]),
  path: str,
  freeBytes: { type: ["integer", "null"] },
  totalBytes: { type: ["integer", "null"] },
  lastInfraError: { ...obj({ at: time, message: str }), type: ["object", "null"] },
});

export interface DiskHealth {
  status: "ok" | "low" | "full" | "unknown";
  path: string;
  freeBytes: number | null;
  totalBytes: number | null;
  lastInfraError: { at: string | null; message: string } | null;
}

/**
 * The file system holding `path` (BATON_HOME: database, logs, bundles): bytes free for Baton's
 * user and the status they mean. `full` under min(16 MiB, 1 % of the size): attempts' logs and
 * the database cannot be trusted to take a write. `low` under min(1 GiB, 10 %). `unknown` when
 * the path cannot be examined. With the executor's last infrastructure failure, if any.
 */
export async function diskHealth(path: string, infra: InfraErrors | undefined): Promise<DiskHealth> {
  const last = infra?.last() ?? null;
  const lastInfraError = last === null ? null : { at: iso(last.at), message: last.message };
  try {
    const s = await statfs(path);
    const freeBytes = s.bavail * s.bsize;
    const totalBytes = s.blocks * s.bsize;
    return { status: diskStatus(freeBytes, totalBytes), path, freeBytes, totalBytes, lastInfraError };
  } catch {
    return { status: "unknown", path, freeBytes: null, totalBytes: null, lastInfraError };
  }
}

export function diskStatus(freeBytes: number, totalBytes: number): "ok" | "low" | "full" {
  if (freeBytes === 0 || freeBytes < Math.min(16 * MIB, totalBytes * 0.01)) return "full";
  if (freeBytes < Math.min(GIB, totalBytes * 0.1)) return "low";
  return "ok";
}
