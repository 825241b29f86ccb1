import type { Readable } from "node:stream";
import type { BlobServiceClient } from "@azure/storage-blob";
import type { ObjectInfo, ObjectStore, WriteOptions } from "./object-store.js";
import { loadOptional } from "../../core/optional-module.js";

/** How to reach one storage account: a connection string, or an endpoint with a key or SAS. */
export type AzureBlobConfig = { connectionString: string } | { endpoint: string; account: string; accountKey: string } | { endpoint: string; sasToken: string };

/** Block size for uploadStream: it buffers at most BUFFERS blocks of this size. */
const BLOCK_SIZE = 4 * 1024 * 1024;
const BUFFERS = 4;

/** Azure Blob Storage (and Azurite), through `@azure/storage-blob`. Blobs are block blobs. */
export async function openAzureBlobStore(config: AzureBlobConfig): Promise<ObjectStore> {
  const az = await loadOptional("Azure Blob Storage", ["@azure/storage-blob"], () => import("@azure/storage-blob"));
  let service: BlobServiceClient;
  if ("connectionString" in config) service = az.BlobServiceClient.fromConnectionString(config.connectionString);
  else if ("accountKey" in config) service = new az.BlobServiceClient(config.endpoint, new az.StorageSharedKeyCredential(config.account, config.accountKey));
  else service = new az.BlobServiceClient(`${config.endpoint}?${config.sasToken.replace(/^\?/, "")}`, new az.AnonymousCredential());
  const blob = (container: string, key: string) => service.getContainerClient(container).getBlockBlobClient(key);
  const hex = (md5: Uint8Array | undefined) => (md5 && md5.length > 0 ? Buffer.from(md5).toString("hex") : null);
  return {
    scheme: "az",
    async *list(container, prefix, signal) {
      for await (const item of service.getContainerClient(container).listBlobsFlat({ prefix, abortSignal: signal })) {
        yield {
          key: item.name,
          size: item.properties.contentLength ?? 0,
          lastModified: item.properties.lastModified ?? null,
          md5: hex(item.properties.contentMD5),
        };
      }
    },
    async head(container, key, signal): Promise<ObjectInfo | null> {
      try {
        const p = await blob(container, key).getProperties({ abortSignal: signal });
        return { key, size: p.contentLength ?? 0, lastModified: p.lastModified ?? null, md5: hex(p.contentMD5) };
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return null;
        throw e;
      }
    },
    async read(container, key, signal) {
      const r = await blob(container, key).download(0, undefined, { abortSignal: signal });
      return r.readableStreamBody as Readable;
    },
    async write(container, key, body, options: WriteOptions = {}) {
      await blob(container, key).uploadStream(body, BLOCK_SIZE, BUFFERS, {
        abortSignal: options.signal,
        ...(options.contentType ? { blobHTTPHeaders: { blobContentType: options.contentType } } : {}),
      });
    },
    async delete(container, key, signal) {
      await blob(container, key).deleteIfExists({ abortSignal: signal });
    },
    async copy(from, to, signal) {
      const poller = await blob(to.container, to.key).beginCopyFromURL(blob(from.container, from.key).url, { abortSignal: signal });
      await poller.pollUntilDone();
    },
    async close() {},
  };
}
