import { InvalidInputError } from "../core/errors.js";
import { Secret } from "../core/secrets/secret.js";

/** Where OpenLineage events go (docs/lineage.md). */
export type LineageTransportConfig =
  { type: "http"; url: string; endpoint: string; apiKey: Secret | null; timeoutMs: number } | { type: "file"; path: string } | { type: "console" };

export interface LineageConfig {
  /** The job namespace of every event (`OPENLINEAGE_NAMESPACE`, default "default"). */
  namespace: string;
  transport: LineageTransportConfig;
}

const TYPES = ["http", "file", "console"] as const;

/**
 * OpenLineage's configuration, read the way its own clients read it: `OPENLINEAGE_DISABLED=true`
 * turns it off; `OPENLINEAGE__TRANSPORT__TYPE` picks http, file or console; without it, a URL
 * (`OPENLINEAGE__TRANSPORT__URL` or `OPENLINEAGE_URL`) means http and a log file path alone
 * means file. Null (lineage off) when none of them is set. Throws InvalidInputError (exit 2) naming the variable
 * when a value is wrong.
 */
export function loadLineageConfig(env: NodeJS.ProcessEnv = process.env): LineageConfig | null {
  const get = (key: string) => {
    const v = env[key]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  if (get("OPENLINEAGE_DISABLED")?.toLowerCase() === "true") return null;
  const url = get("OPENLINEAGE__TRANSPORT__URL") ?? get("OPENLINEAGE_URL");
  const logFile = get("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH");
  const rawType = get("OPENLINEAGE__TRANSPORT__TYPE")?.toLowerCase();
  const type = rawType ?? (url !== undefined ? "http" : logFile !== undefined ? "file" : undefined);
  if (type === undefined) return null;
  if (!(TYPES as readonly string[]).includes(type)) {
    throw new InvalidInputError(`OPENLINEAGE__TRANSPORT__TYPE must be one of ${TYPES.join(", ")}, got "${rawType}"`);
  }
  const namespace = get("OPENLINEAGE_NAMESPACE") ?? "default";
  if (type === "console") return { namespace, transport: { type: "console" } };
  if (type === "file") {
    if (logFile === undefined) throw new InvalidInputError("OPENLINEAGE__TRANSPORT__TYPE=file needs OPENLINEAGE__TRANSPORT__LOG_FILE_PATH");
    return { namespace, transport: { type: "file", path: logFile } };
  }
  if (url === undefined) throw new InvalidInputError("OPENLINEAGE__TRANSPORT__TYPE=http needs OPENLINEAGE_URL (or OPENLINEAGE__TRANSPORT__URL)");
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new TypeError("not http(s)");
  } catch {
    throw new InvalidInputError(`OPENLINEAGE_URL must be an http(s) URL such as http://localhost:5000, got "${url}"`);
  }
  const endpoint = get("OPENLINEAGE__TRANSPORT__ENDPOINT") ?? get("OPENLINEAGE_ENDPOINT") ?? "api/v1/lineage";
  const key = get("OPENLINEAGE__TRANSPORT__AUTH__API_KEY") ?? get("OPENLINEAGE_API_KEY");
  const rawTimeout = get("OPENLINEAGE__TRANSPORT__TIMEOUT");
  const seconds = rawTimeout === undefined ? 5 : Number(rawTimeout);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidInputError(`OPENLINEAGE__TRANSPORT__TIMEOUT must be a number of seconds > 0, got "${rawTimeout}"`);
  return { namespace, transport: { type: "http", url, endpoint, apiKey: key === undefined ? null : new Secret(key), timeoutMs: Math.round(seconds * 1000) } };
}
