import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CRC32C } from "@google-cloud/storage";

/**
 * A minimal Google Cloud Storage JSON-API emulator, in memory, for tests: what
 * `@google-cloud/storage` (with `apiEndpoint`) uses to list, read (metadata and `alt=media`),
 * upload (multipart and resumable), delete and copy (`rewriteTo`) objects, and create buckets.
 * Objects carry `md5Hash` and `crc32c` like the real service; downloads send `x-goog-hash`.
 * No authentication, ACLs, generations preconditions, or XML API.
 */
export interface TestGcs {
  /** The `apiEndpoint` for `new Storage({ apiEndpoint })`: http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  /** A connection URI for the `gcs` type pointing at this emulator. */
  uri: string;
  /** Replaces an object's bytes without updating its stored hashes (to test corruption checks). */
  corrupt(bucket: string, name: string, data: Buffer): void;
  close(): Promise<void>;
}

interface StoredObject {
  data: Buffer;
  contentType: string;
  generation: number;
  updated: Date;
  md5Hash: string;
  crc32c: string;
  metadata?: Record<string, string>;
}

interface Session {
  bucket: string;
  name: string;
  contentType: string;
  chunks: Buffer[];
  received: number;
}

export async function startGcsEmulator(buckets: readonly string[] = []): Promise<TestGcs> {
  const store = new Map<string, Map<string, StoredObject>>(buckets.map((b) => [b, new Map()]));
  const sessions = new Map<string, Session>();
  let generation = 1;
  let endpoint = "";

  const put = (bucket: string, name: string, data: Buffer, contentType: string, metadata?: Record<string, string>): StoredObject => {
    const crc = new CRC32C();
    crc.update(data);
    const obj: StoredObject = {
      data,
      contentType,
      generation: generation++,
      updated: new Date(),
      md5Hash: createHash("md5").update(data).digest("base64"),
      crc32c: crc.toString(),
      ...(metadata ? { metadata } : {}),
    };
    store.get(bucket)!.set(name, obj);
    return obj;
  };

  const resource = (bucket: string, name: string, o: StoredObject) => ({
    kind: "storage#object",
    id: `${bucket}/${name}/${o.generation}`,
    selfLink: `${endpoint}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`,
    mediaLink: `${endpoint}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?generation=${o.generation}&alt=media`,
    name,
    bucket,
    generation: String(o.generation),
    metageneration: "1",
    contentType: o.contentType,
    storageClass: "STANDARD",
    size: String(o.data.length),
    md5Hash: o.md5Hash,
    crc32c: o.crc32c,
    etag: `E${o.generation}`,
    timeCreated: o.updated.toISOString(),
    updated: o.updated.toISOString(),
    ...(o.metadata ? { metadata: o.metadata } : {}),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/^\/download/, "");
    const method = req.method ?? "GET";
    const body = await readBody(req);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
      res.end(JSON.stringify(value));
    };
    const fail = (status: number, message: string) =>
      json(status, { error: { code: status, message, errors: [{ message, reason: status === 404 ? "notFound" : "invalid" }] } });
    const bucketOf = (name: string) => store.get(name);

    let m: RegExpExecArray | null;
    if (method === "POST" && path === "/storage/v1/b") {
      const { name } = JSON.parse(body.toString() || "{}") as { name?: string };
      if (!name) return fail(400, "bucket name required");
      if (store.has(name)) return fail(409, "bucket exists");
      store.set(name, new Map());
      return json(200, { kind: "storage#bucket", id: name, name });
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]!);
      if (!bucketOf(name)) return fail(404, `bucket ${name} not found`);
      return json(200, { kind: "storage#bucket", id: name, name });
    }
    if (method === "GET" && (m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(path))) {
      const b = bucketOf(decodeURIComponent(m[1]!));
      if (!b) return fail(404, "bucket not found");
      const prefix = url.searchParams.get("prefix") ?? "";
      const max = Number(url.searchParams.get("maxResults") ?? 1000) || 1000;
      const after = url.searchParams.get("pageToken") ?? "";
      const names = [...b.keys()].filter((n) => n.startsWith(prefix) && n > after).sort();
      const page = names.slice(0, max);
      const items = page.map((n) => resource(decodeURIComponent(m![1]!), n, b.get(n)!));
      return json(200, { kind: "storage#objects", items, ...(names.length > max ? { nextPageToken: page.at(-1) } : {}) });
    }
    if (method === "POST" && (m = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)\/(rewriteTo|copyTo)\/b\/([^/]+)\/o\/(.+)$/.exec(path))) {
      const [sb, so, , db, dn] = [m[1]!, m[2]!, m[3]!, m[4]!, m[5]!].map(decodeURIComponent) as [string, string, string, string, string];
      const src = bucketOf(sb)?.get(so);
      if (!src) return fail(404, `object ${so} not found`);
      if (!bucketOf(db)) return fail(404, `bucket ${db} not found`);
      const obj = put(db, dn, src.data, src.contentType, src.metadata);
      const meta = resource(db, dn, obj);
      if (m[3] === "copyTo") return json(200, meta);
      const size = String(obj.data.length);
      return json(200, { kind: "storage#rewriteResponse", totalBytesRewritten: size, objectSize: size, done: true, resource: meta });
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(path))) {
      const bucket = decodeURIComponent(m[1]!);
      const name = decodeURIComponent(m[2]!);
      const b = bucketOf(bucket);
      const obj = b?.get(name);
      if (!b || !obj) return fail(404, `No such object: ${bucket}/${name}`);
      if (method === "DELETE") {
        b.delete(name);
        res.writeHead(204).end();
        return;
      }
      if (method === "GET" && url.searchParams.get("alt") === "media") {
        res.writeHead(200, {
          "content-type": obj.contentType,
          "content-length": String(obj.data.length),
          "x-goog-hash": `crc32c=${obj.crc32c},md5=${obj.md5Hash}`,
          "x-goog-stored-content-encoding": "identity",
          "x-goog-generation": String(obj.generation),
        });
        res.end(obj.data);
        return;
      }
      if (method === "GET") return json(200, resource(bucket, name, obj));
      if (method === "PATCH") {
        const patch = JSON.parse(body.toString() || "{}") as { metadata?: Record<string, string>; contentType?: string };
        if (patch.metadata) obj.metadata = { ...obj.metadata, ...patch.metadata };
        if (patch.contentType) obj.contentType = patch.contentType;
        return json(200, resource(bucket, name, obj));
      }
    }
    if ((m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(path))) {
      const bucket = decodeURIComponent(m[1]!);
      if (!bucketOf(bucket)) return fail(404, `bucket ${bucket} not found`);
      const uploadType = url.searchParams.get("uploadType");
      const uploadId = url.searchParams.get("upload_id");
      if (method === "POST" && uploadType === "multipart") {
        const parts = splitMultipart(body, req.headers["content-type"] ?? "");
        if (parts.length < 2) return fail(400, "expected a metadata part and a media part");
        const meta = JSON.parse(parts[0]!.body.toString()) as { name?: string; contentType?: string; metadata?: Record<string, string> };
        const name = url.searchParams.get("name") ?? meta.name;
        if (!name) return fail(400, "object name required");
        const obj = put(bucket, name, parts[1]!.body, meta.contentType ?? parts[1]!.contentType ?? "application/octet-stream", meta.metadata);
        return json(200, resource(bucket, name, obj));
      }
      if (method === "POST" && uploadType === "media") {
        const name = url.searchParams.get("name");
        if (!name) return fail(400, "object name required");
        const obj = put(bucket, name, body, req.headers["content-type"] ?? "application/octet-stream");
        return json(200, resource(bucket, name, obj));
      }
      if (method === "POST" && uploadType === "resumable") {
        const meta = body.length > 0 ? (JSON.parse(body.toString()) as { name?: string; contentType?: string }) : {};
        const name = url.searchParams.get("name") ?? meta.name;
        if (!name) return fail(400, "object name required");
        const id = randomUUID();
        const contentType = meta.contentType ?? (req.headers["x-upload-content-type"] as string | undefined) ?? "application/octet-stream";
        sessions.set(id, { bucket, name, contentType, chunks: [], received: 0 });
        res.writeHead(200, { location: `${endpoint}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&upload_id=${id}` });
        res.end();
        return;
      }
      if (method === "PUT" && uploadId !== null) {
        const session = sessions.get(uploadId);
        if (!session) return fail(404, "no such upload session");
        const range = /^bytes (\*|(\d+)-(\d+|\*))\/(\*|\d+)$/.exec(String(req.headers["content-range"] ?? "bytes */*"));
        if (!range) return fail(400, "bad Content-Range");
        if (range[1] !== "*") {
          const start = Number(range[2]);
          if (start !== session.received) return fail(400, `chunk starts at ${start}, expected ${session.received}`);
          session.chunks.push(body);
          session.received += body.length;
        }
        const total = range[4] === "*" ? null : Number(range[4]);
        const last = range[1] !== "*" && (range[3] === "*" || total === session.received);
        if (!last && (total === null || session.received < total)) {
          res.writeHead(308, session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {});
          res.end();
          return;
        }
        sessions.delete(uploadId);
        const obj = put(session.bucket, session.name, Buffer.concat(session.chunks), session.contentType);
        return json(200, resource(session.bucket, session.name, obj));
      }
      if (method === "DELETE" && uploadId !== null) {
        sessions.delete(uploadId);
        res.writeHead(499).end();
        return;
      }
    }
    fail(400, `the GCS test emulator does not handle ${method} ${path}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: 500, message: String(e) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    uri: `gcs://127.0.0.1:${port}?scheme=http&project=test-project`,
    corrupt(bucket, name, data) {
      const obj = store.get(bucket)?.get(name);
      if (!obj) throw new Error(`no object ${bucket}/${name}`);
      obj.data = data;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The parts of a multipart/related body: headers' content-type and the raw bytes. */
function splitMultipart(body: Buffer, contentType: string): { contentType: string | null; body: Buffer }[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { contentType: string | null; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, headerEnd).toString();
    let content = part.subarray(headerEnd + 4);
    if (content.subarray(-2).toString() === "\r\n") content = content.subarray(0, -2);
    parts.push({ contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? null, body: content });
    at = next;
  }
  return parts;
}
