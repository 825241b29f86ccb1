import { InvalidInputError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { AzureBlobConfig } from "./azure-blob-store.js";
import type { GcsStoreConfig } from "./gcs-store.js";
import type { StoreScheme } from "./object-url.js";
import type { S3StoreConfig } from "./s3-store.js";

/** The connection types each URL scheme accepts. */
export const CONNECTION_TYPES: Record<StoreScheme, readonly string[]> = {
  s3: ["aws", "s3"],
  az: ["wasb", "azure_blob", "azure"],
  gs: ["gcs", "google_cloud_platform", "gcp"],
  file: [],
};

/** Checks that `conn` can serve URLs of `scheme`; the error lists the types it accepts. */
export function checkConnectionType(scheme: StoreScheme, conn: Connection): void {
  const valid = CONNECTION_TYPES[scheme];
  if (scheme === "file") throw new InvalidInputError(`connection "${conn.id}": file:// URLs take no conn (the worker's own file system is used)`);
  if (!valid.includes(conn.type.toLowerCase())) {
    throw new InvalidInputError(`connection "${conn.id}" has type "${conn.type}", which cannot serve ${scheme}:// URLs; valid types: ${valid.join(", ")}`);
  }
}

/** host[:port] as a URL, with extra `scheme` (default https). */
function endpointOf(conn: Connection): string | undefined {
  if (conn.host === null) return undefined;
  const scheme = conn.extra["scheme"] ?? "https";
  if (scheme !== "http" && scheme !== "https") throw new InvalidInputError(`connection "${conn.id}": extra scheme must be http or https, got "${scheme}"`);
  const host = conn.host.includes(":") ? `[${conn.host}]` : conn.host;
  return `${scheme}://${host}${conn.port === null ? "" : `:${conn.port}`}`;
}

function flag(conn: Connection, key: string, fallback: boolean): boolean {
  const v = conn.extra[key];
  if (v === undefined || v === "") return fallback;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new InvalidInputError(`connection "${conn.id}": extra ${key} must be true or false, got "${v}"`);
}

/**
 * S3 (`aws`): login/password = access key id/secret (extra `session_token`); host:port (extra
 * `scheme`, default https) or extra `endpoint_url` = an S3-compatible endpoint; extra `region`
 * (or `region_name`, default us-east-1); extra `force_path_style` (default true with an
 * endpoint); extra `etag_is_md5=false` for SSE-KMS/SSE-C buckets. No conn: the SDK's default chain.
 */
export function s3Config(conn: Connection | null): S3StoreConfig {
  if (conn === null) return { region: "us-east-1", forcePathStyle: false, etagIsMd5: true };
  const endpoint = conn.extra["endpoint_url"] ?? endpointOf(conn);
  const credentials =
    conn.login !== null && conn.password !== null
      ? { accessKeyId: conn.login, secretAccessKey: conn.password, ...(conn.extra["session_token"] ? { sessionToken: conn.extra["session_token"] } : {}) }
      : undefined;
  return {
    ...(endpoint ? { endpoint } : {}),
    region: conn.extra["region"] ?? conn.extra["region_name"] ?? "us-east-1",
    forcePathStyle: flag(conn, "force_path_style", endpoint !== undefined),
    ...(credentials ? { credentials } : {}),
    etagIsMd5: flag(conn, "etag_is_md5", true),
  };
}

/**
 * Azure Blob (`wasb`): extra `connection_string`; or login = account name with password =
 * account key (or extra `sas_token`), the endpoint being extra `endpoint`, else host:port (extra
 * `scheme`) plus `/schema` when given (Azurite: `127.0.0.1:10000/devstoreaccount1`), else
 * `https://<account>.blob.core.windows.net`.
 */
export function azureConfig(conn: Connection | null): AzureBlobConfig {
  if (conn === null) throw new InvalidInputError("az:// URLs need a conn (type wasb): an account and key, a SAS token, or extra connection_string");
  const connectionString = conn.extra["connection_string"];
  if (connectionString) return { connectionString };
  const hostEndpoint = endpointOf(conn);
  const endpoint =
    conn.extra["endpoint"] ??
    (hostEndpoint !== undefined
      ? `${hostEndpoint}${conn.schema ? `/${conn.schema}` : ""}`
      : conn.login !== null
        ? `https://${conn.login}.blob.core.windows.net`
        : undefined);
  if (endpoint === undefined)
    throw new InvalidInputError(`connection "${conn.id}": give extra connection_string, or login (account name), or host/extra endpoint`);
  const sasToken = conn.extra["sas_token"];
  if (sasToken) return { endpoint, sasToken };
  if (conn.login === null || conn.password === null) {
    throw new InvalidInputError(
      `connection "${conn.id}": Azure Blob needs login (account name) and password (account key), extra sas_token, or extra connection_string`,
    );
  }
  return { endpoint, account: conn.login, accountKey: conn.password };
}

/**
 * GCS (`gcs`/`google_cloud_platform`): extra `keyfile_dict` (a service account key's JSON) or
 * `key_path` (a key file); extra `project` (or `project_id`); host:port (extra `scheme`) = an
 * emulator's API endpoint. No key: Application Default Credentials (none with an endpoint).
 */
export function gcsConfig(conn: Connection | null): GcsStoreConfig {
  if (conn === null) return {};
  let credentials: Record<string, unknown> | undefined;
  const keyJson = conn.extra["keyfile_dict"];
  if (keyJson) {
    try {
      credentials = JSON.parse(keyJson) as Record<string, unknown>;
    } catch {
      throw new InvalidInputError(`connection "${conn.id}": extra keyfile_dict is not valid JSON`);
    }
  }
  const apiEndpoint = conn.extra["endpoint"] ?? endpointOf(conn);
  const projectId =
    conn.extra["project"] ?? conn.extra["project_id"] ?? (typeof credentials?.["project_id"] === "string" ? credentials["project_id"] : undefined);
  return {
    ...(apiEndpoint ? { apiEndpoint } : {}),
    ...(projectId ? { projectId } : {}),
    ...(credentials ? { credentials } : {}),
    ...(conn.extra["key_path"] ? { keyFilename: conn.extra["key_path"] } : {}),
  };
}
