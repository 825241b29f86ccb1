import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** s3rver's fixed credentials (it accepts any signature made with them). */
export const S3RVER_KEY_ID = "S3RVER";
export const S3RVER_SECRET = "S3RVER";

export interface TestS3Server {
  endpoint: string;
  port: number;
  /** A connection URI for the `aws` type: path-style, http, the fixed credentials. */
  uri: string;
  /** Replaces an object's bytes on disk, keeping its recorded ETag (keys of plain characters only). */
  corrupt(bucket: string, key: string, data: Buffer): void;
  close(): Promise<void>;
}

/** An S3-compatible server (s3rver) on 127.0.0.1 and a free port, with `buckets` created. */
export async function startS3Server(buckets: readonly string[]): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), "baton-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    uri: `aws://${S3RVER_KEY_ID}:${S3RVER_SECRET}@127.0.0.1:${port}?scheme=http&region=us-east-1`,
    corrupt(bucket, key, data) {
      writeFileSync(join(directory, bucket, `${key}._S3rver_object`), data);
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
