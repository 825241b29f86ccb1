import type { Connection } from "../../core/model/connection.js";
import { openAzureBlobStore } from "./azure-blob-store.js";
import { openGcsStore } from "./gcs-store.js";
import { openLocalStore } from "./local-store.js";
import type { ObjectStore } from "./object-store.js";
import type { StoreScheme } from "./object-url.js";
import { openS3Store } from "./s3-store.js";
import { azureConfig, checkConnectionType, gcsConfig, s3Config } from "./store-connection.js";

/**
 * The store serving `scheme` URLs with the credentials of `conn` (null: the SDK's defaults).
 * Each SDK is loaded only here, so a DAG file using the operators loads without them.
 */
export async function openObjectStore(scheme: StoreScheme, conn: Connection | null): Promise<ObjectStore> {
  if (conn !== null) checkConnectionType(scheme, conn);
  switch (scheme) {
    case "s3":
      return openS3Store(s3Config(conn));
    case "az":
      return openAzureBlobStore(azureConfig(conn));
    case "gs":
      return openGcsStore(gcsConfig(conn));
    case "file":
      return openLocalStore();
  }
}
