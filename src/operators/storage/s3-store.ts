import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import type { ObjectInfo, ObjectStore, WriteOptions } from "./object-store.js";
import { loadOptional } from "../../core/optional-module.js";

export interface S3StoreConfig {
  /** e.g. "http://127.0.0.1:9000"; unset for AWS itself. */
  endpoint?: string;
  region: string;
  /** Path-style addressing (endpoint/bucket/key), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Static credentials; unset means the AWS SDK's default chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Whether a plain (non-multipart) ETag is the content's MD5. False for SSE-KMS/SSE-C buckets. */
  etagIsMd5: boolean;
}

/** Multipart part size: Upload holds at most QUEUE parts of this size in memory. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE = 4;

/** Amazon S3 and S3-compatible servers, through the AWS SDK v3 (`@aws-sdk/lib-storage` uploads). */
export async function openS3Store(config: S3StoreConfig): Promise<ObjectStore> {
  const [s3, { Upload }] = await loadOptional("S3", ["@aws-sdk/client-s3", "@aws-sdk/lib-storage"], () =>
    Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage")]),
  );
  const client: S3Client = new s3.S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // S3-compatible servers often reject the SDK's default streaming (aws-chunked) checksums.
    ...(config.endpoint ? { requestChecksumCalculation: "WHEN_REQUIRED" as const, responseChecksumValidation: "WHEN_REQUIRED" as const } : {}),
  });
  const md5Of = (etag: string | undefined): string | null => {
    const plain = etag?.replaceAll('"', "").toLowerCase();
    return config.etagIsMd5 && plain !== undefined && /^[0-9a-f]{32}$/.test(plain) ? plain : null;
  };
  return {
    scheme: "s3",
    async *list(bucket, prefix, signal) {
      let token: string | undefined;
      do {
        const page = await client.send(new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
        for (const o of page.Contents ?? []) {
          if (o.Key === undefined) continue;
          yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? null, md5: md5Of(o.ETag) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    },
    async head(bucket, key, signal): Promise<ObjectInfo | null> {
      try {
        const h = await client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        return { key, size: h.ContentLength ?? 0, lastModified: h.LastModified ?? null, md5: md5Of(h.ETag) };
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },
    async read(bucket, key, signal) {
      const r = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return r.Body as Readable;
    },
    async write(bucket, key, body, options: WriteOptions = {}) {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ...(options.contentType ? { ContentType: options.contentType } : {}) },
        partSize: PART_SIZE,
        queueSize: QUEUE,
        leavePartsOnError: false,
      });
      const onAbort = () => void upload.abort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        await upload.done();
      } finally {
        options.signal?.removeEventListener("abort", onAbort);
      }
    },
    async delete(bucket, key, signal) {
      await client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    },
    async copy(from, to, signal) {
      const source = `${from.container}/${from.key.split("/").map(encodeURIComponent).join("/")}`;
      await client.send(new s3.CopyObjectCommand({ Bucket: to.container, Key: to.key, CopySource: source }), { abortSignal: signal });
    },
    async close() {
      client.destroy();
    },
  };
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === "NotFound" || err?.name === "NoSuchKey" || err?.$metadata?.httpStatusCode === 404;
}
