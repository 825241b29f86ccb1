/**
 * cross_cloud_backup — back up the day's CSV drops from an S3-compatible bucket to Azure Blob,
 * checksum-verified, then archive them; files that fail validation go to a quarantine prefix.
 *
 *   list_incoming → validate → quarantine
 *                            → backup_to_azure → archive
 *
 * Connections (see docs/object-storage.md), e.g. as environment variables:
 *
 *   BATON_CONN_RAW_S3='aws://KEY:SECRET@127.0.0.1:9000?scheme=http&region=us-east-1'
 *   BATON_CONN_BACKUP_AZURE='wasb://ACCOUNT:URL-ENCODED-KEY@127.0.0.1:10000/ACCOUNT?scheme=http'
 *
 * Layout, with `bucket` and `container` params (defaults "raw" and "backup"):
 *
 *   s3://raw/incoming/*.csv            what landed (other files are left alone)
 *   az://backup/<ds>/<file>.csv        the verified copies, and _manifest.json (key, size, sha256)
 *   s3://raw/archive/<ds>/<file>.csv   the originals, once backed up
 *   s3://raw/quarantine/<ds>/<file>    files that failed validation, and _reasons.json
 *
 * Idempotent per run: every step works on what is in incoming/ when the run starts, and a file
 * leaves incoming/ only once it is safe elsewhere, so re-running a run (or a failed step) redoes
 * only what is left. Nothing connects while the file loads; with no schedule it runs when
 * triggered (`baton dags trigger cross_cloud_backup`); set `schedule: "@daily"` to run it daily.
 */
import { dag, z } from "baton";
import { listObjects, transferObjects, withObject, writeObject, type ObjectLocation } from "baton/operators";
import { csvProblem } from "./_cross_cloud/validate-csv.js";

const RAW = "raw_s3";
const BACKUP = "backup_azure";
const INCOMING: ObjectLocation = { url: "s3://{{ params.bucket }}/incoming/", conn: RAW };

const params = z.object({
  /** The S3 bucket holding incoming/, archive/ and quarantine/. */
  bucket: z.string().min(3).default("raw"),
  /** The Azure Blob container receiving the backups. */
  container: z.string().min(3).default("backup"),
});

export default dag(
  {
    id: "cross_cloud_backup",
    description: "Validate the CSV files landed in S3, back them up to Azure Blob with checksums, archive them, quarantine bad ones.",
    schedule: null,
    tags: ["storage", "s3", "azure", "example"],
    owner: "data-team",
    params,
    defaults: { retries: 2, retryDelay: "30s" },
    // Two runs at once would move the same files.
    maxActiveRuns: 1,
  },
  (d) => {
    const incoming = listObjects(d, "list_incoming", { url: "s3://{{ params.bucket }}/incoming/", conn: RAW, glob: "*.csv" });

    const report = d.task("validate", { inputs: { incoming } }, async (ctx, { incoming }) => {
      const good: string[] = [];
      const bad: { key: string; reason: string }[] = [];
      for (const file of incoming) {
        const key = file.key.slice("incoming/".length);
        const problem = await withObject(ctx, { url: file.url, conn: RAW }, (body) => csvProblem(body));
        if (problem === null) good.push(key);
        else bad.push({ key, reason: problem });
      }
      if (bad.length > 0) ctx.log.warn("files failed validation", { count: bad.length, files: bad.map((b) => b.key) });
      return { good, bad };
    });

    d.task("quarantine", { inputs: { report } }, async (ctx, { report }) => {
      if (report.bad.length === 0) return { quarantined: 0 };
      const dest: ObjectLocation = { url: "s3://{{ params.bucket }}/quarantine/{{ ds }}/", conn: RAW };
      const moved = await transferObjects(ctx, { source: INCOMING, dest, keys: report.bad.map((b) => b.key), move: true, ignoreMissing: true });
      await writeObject(ctx, { url: `${dest.url}_reasons.json`, conn: RAW }, JSON.stringify(report.bad, null, 2), "application/json");
      return { quarantined: moved.count };
    });

    const backup = d.task("backup_to_azure", { inputs: { report } }, async (ctx, { report }) => {
      const manifest = await transferObjects(ctx, {
        source: INCOMING,
        dest: { url: "az://{{ params.container }}/{{ ds }}/", conn: BACKUP },
        keys: report.good,
      });
      if (manifest.count > 0) {
        const entries = manifest.objects.map(({ key, size, sha256 }) => ({ key, size, sha256 }));
        await writeObject(
          ctx,
          { url: "az://{{ params.container }}/{{ ds }}/_manifest.json", conn: BACKUP },
          JSON.stringify(entries, null, 2),
          "application/json",
        );
      }
      return { files: manifest.count, bytes: manifest.bytes };
    });

    d.task("archive", { inputs: { report }, after: [backup] }, async (ctx, { report }) => {
      const moved = await transferObjects(ctx, {
        source: INCOMING,
        dest: { url: "s3://{{ params.bucket }}/archive/{{ ds }}/", conn: RAW },
        keys: report.good,
        move: true,
        // A retry after a partial move finds some files already archived.
        ignoreMissing: true,
      });
      return { archived: moved.count };
    });
  },
);
