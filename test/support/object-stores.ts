import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConnectionUri } from "../../src/core/secrets/connection-uri.js";
import { openObjectStore } from "../../src/operators/storage/open-object-store.js";
import type { ObjectStore } from "../../src/operators/storage/object-store.js";
import type { StoreScheme } from "../../src/operators/storage/object-url.js";
import { startAzurite, type TestAzurite } from "./azurite.js";
import { startGcsEmulator, type TestGcs } from "./gcs-emulator.js";
import { startS3Server, type TestS3Server } from "./s3-server.js";

/** One store under test: its scheme, the container its tests use, its connection URI. */
export interface StoreUnderTest {
  scheme: StoreScheme;
  container: string;
  /** A connection URI (undefined for file://). */
  uri: string | undefined;
  store: ObjectStore;
  /** The URL of `key` in this store's test container. */
  url(key: string): string;
}

/** All four stores, on real protocol servers: s3rver, Azurite, the GCS test emulator, a temp folder. */
export interface TestStores {
  s3: StoreUnderTest;
  az: StoreUnderTest;
  gs: StoreUnderTest;
  file: StoreUnderTest;
  s3Server: TestS3Server;
  azurite: TestAzurite;
  gcs: TestGcs;
  /** The temp folder holding the file:// store's objects. */
  root: string;
  close(): Promise<void>;
}

export async function startTestStores(): Promise<TestStores> {
  const [s3Server, azurite, gcs] = await Promise.all([startS3Server(["bucket-s3"]), startAzurite(), startGcsEmulator(["bucket-gs"])]);
  const root = mkdtempSync(join(tmpdir(), "baton-objects-"));
  const azStore = await openObjectStore("az", parseConnectionUri("az", azurite.uri));
  const { BlobServiceClient } = await import("@azure/storage-blob");
  await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("container-az").create();
  const sut = (scheme: StoreScheme, container: string, uri: string | undefined, store: ObjectStore): StoreUnderTest => ({
    scheme,
    container,
    uri,
    store,
    url: (key) => (scheme === "file" ? `file://${root}/${key}` : `${scheme}://${container}/${key}`),
  });
  const s3 = sut("s3", "bucket-s3", s3Server.uri, await openObjectStore("s3", parseConnectionUri("s3", s3Server.uri)));
  const az = sut("az", "container-az", azurite.uri, azStore);
  const gs = sut("gs", "bucket-gs", gcs.uri, await openObjectStore("gs", parseConnectionUri("gs", gcs.uri)));
  const file = sut("file", "", undefined, await openObjectStore("file", null));
  return {
    s3,
    az,
    gs,
    file,
    s3Server,
    azurite,
    gcs,
    root,
    async close() {
      await Promise.allSettled([s3.store.close(), az.store.close(), gs.store.close(), file.store.close()]);
      await Promise.allSettled([s3Server.close(), azurite.close(), gcs.close()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The key an object of `sut` has for `relative` (file:// keys are absolute paths without "/"). */
export function keyIn(stores: TestStores, sut: StoreUnderTest, relative: string): string {
  return sut.scheme === "file" ? `${stores.root.slice(1)}/${relative}` : relative;
}
