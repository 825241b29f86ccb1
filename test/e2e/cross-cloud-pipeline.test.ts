// Runs examples/dags/cross_cloud_backup.ts with the real `baton dags test` command against real
// protocol servers (s3rver for S3, Azurite for Azure Blob), connections given as BATON_CONN_*
// environment variables, then checks what the run left in both stores. Needs `npm run build`.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type TestAzurite } from "../support/azurite.js";
import { S3RVER_KEY_ID, S3RVER_SECRET, startS3Server, type TestS3Server } from "../support/s3-server.js";
import { baton, batonJson, ROOT } from "./baton-cli.js";

const SAMPLES = join(ROOT, "examples", "dags", "_cross_cloud", "samples");
const DS = "2026-03-04";

interface RunJson {
  state: string;
  tasks: { taskId: string; state: string; error?: string }[];
}

let s3Server: TestS3Server;
let azurite: TestAzurite;
let s3: S3Client;
let container: ContainerClient;
let home: string;

beforeAll(async () => {
  [s3Server, azurite] = await Promise.all([startS3Server(["raw"]), startAzurite()]);
  s3 = new S3Client({
    endpoint: s3Server.endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: S3RVER_KEY_ID, secretAccessKey: S3RVER_SECRET },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("backup");
  await container.create();
  home = mkdtempSync(join(tmpdir(), "baton-cross-cloud-"));
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await Promise.allSettled([s3Server?.close(), azurite?.close()]);
  if (home) rmSync(home, { recursive: true, force: true });
});

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

async function s3Keys(prefix: string): Promise<string[]> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: "raw", Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

async function s3Text(key: string): Promise<string> {
  const r = await s3.send(new GetObjectCommand({ Bucket: "raw", Key: key }));
  return r.Body!.transformToString();
}

async function blobNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const b of container.listBlobsFlat()) names.push(b.name);
  return names.sort();
}

async function blobBytes(name: string): Promise<Buffer> {
  return container.getBlobClient(name).downloadToBuffer();
}

function runPipeline(): Promise<RunJson> {
  return baton(
    ["dags", "test", "cross_cloud_backup", "--dags", "examples/dags", "--home", home, "--json", "--date", DS],
    { BATON_CONN_RAW_S3: s3Server.uri, BATON_CONN_BACKUP_AZURE: azurite.uri },
    120_000,
  ).then((r) => batonJson<RunJson>(r));
}

describe("cross_cloud_backup (examples/dags) against s3rver and Azurite", () => {
  it("backs up the valid CSVs with checksums, archives them, quarantines the bad ones; a re-run changes nothing", async () => {
    const samples = readdirSync(SAMPLES).sort();
    for (const name of samples) {
      await s3.send(new PutObjectCommand({ Bucket: "raw", Key: `incoming/${name}`, Body: readFileSync(join(SAMPLES, name)) }));
    }
    const good = ["orders-eu.csv", "orders-us.csv"];
    const bad = ["orders-bad-amount.csv", "orders-bad-header.csv"];

    const run = await runPipeline();
    expect(run.state, JSON.stringify(run.tasks, null, 2)).toBe("success");
    expect(Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]))).toEqual({
      list_incoming: "success",
      validate: "success",
      quarantine: "success",
      backup_to_azure: "success",
      archive: "success",
    });

    // Azure: the good files, byte for byte, and a manifest whose checksums match them.
    expect(await blobNames()).toEqual([`${DS}/_manifest.json`, ...good.map((n) => `${DS}/${n}`)]);
    for (const name of good) expect(await blobBytes(`${DS}/${name}`)).toEqual(readFileSync(join(SAMPLES, name)));
    const manifest = JSON.parse((await blobBytes(`${DS}/_manifest.json`)).toString()) as { key: string; size: number; sha256: string }[];
    expect(manifest).toEqual(
      good.map((name) => {
        const bytes = readFileSync(join(SAMPLES, name));
        return { key: name, size: bytes.length, sha256: sha256(bytes) };
      }),
    );

    // S3: originals archived under the run's date, bad files quarantined with reasons; the
    // file the glob does not match stays where it landed.
    expect(await s3Keys("archive/")).toEqual(good.map((n) => `archive/${DS}/${n}`));
    expect(await s3Keys("quarantine/")).toEqual([`quarantine/${DS}/_reasons.json`, ...bad.map((n) => `quarantine/${DS}/${n}`)]);
    for (const name of [...good, ...bad])
      expect(await s3Text(`${name.startsWith("orders-bad") ? "quarantine" : "archive"}/${DS}/${name}`)).toBe(readFileSync(join(SAMPLES, name), "utf8"));
    const reasons = JSON.parse(await s3Text(`quarantine/${DS}/_reasons.json`)) as { key: string; reason: string }[];
    expect(reasons).toEqual([
      { key: "orders-bad-amount.csv", reason: 'line 3: amount "twelve" is not a number' },
      { key: "orders-bad-header.csv", reason: 'header is "id;region;amount", expected "order_id,region,amount"' },
    ]);
    expect(await s3Keys("incoming/")).toEqual(["incoming/readme.txt"]);

    // Re-running the same day finds nothing new and leaves everything as it was.
    const again = await runPipeline();
    expect(again.state, JSON.stringify(again.tasks, null, 2)).toBe("success");
    expect(await blobNames()).toEqual([`${DS}/_manifest.json`, ...good.map((n) => `${DS}/${n}`)]);
    expect(JSON.parse((await blobBytes(`${DS}/_manifest.json`)).toString())).toEqual(manifest);
    expect(await s3Keys("archive/")).toEqual(good.map((n) => `archive/${DS}/${n}`));
    expect(await s3Keys("quarantine/")).toHaveLength(3);
  });

  it("fails at once (no retries) with a message naming the connection when it is of the wrong type", async () => {
    const r = await baton(["dags", "test", "cross_cloud_backup", "--dags", "examples/dags", "--home", home, "--json", "--date", DS], {
      BATON_CONN_RAW_S3: "postgres://etl@127.0.0.1:5432/warehouse",
      BATON_CONN_BACKUP_AZURE: azurite.uri,
    });
    const run = batonJson<RunJson & { tasks: { attempts: number }[] }>(r);
    expect(run.state).toBe("failed");
    const list = run.tasks.find((t) => t.taskId === "list_incoming")!;
    expect(list).toMatchObject({ state: "failed", attempts: 1 });
    expect(list.error).toContain('connection "raw_s3" has type "postgres", which cannot serve s3:// URLs; valid types: aws, s3');
  });
});
