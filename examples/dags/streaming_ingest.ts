/**
 * streaming_ingest — micro-batches from a message broker into per-minute aggregates in PostgreSQL.
 *
 *   connections_configured → create_tables → ingest_batch → check_metrics
 *
 * Every five minutes `ingest_batch` takes up to `maxEvents` checkout events from NATS JetStream or
 * RabbitMQ — the type of the connection `events_bus` decides — and, in one PostgreSQL transaction:
 * stores the new events (`checkout_events`, keyed by `eventId`, so a redelivered event counts
 * once), sets aside invalid and too-late events (`checkout_events_set_aside`, with the reason),
 * recomputes the one-minute tumbling windows the batch touched (`checkout_per_minute`, the table
 * the dashboard reads) and moves the event-time watermark (`stream_watermarks`). Only after the
 * commit does it acknowledge the batch; if anything fails before, the batch goes back to the
 * broker and the next attempt or run takes it again.
 *
 * Windows are by event time. An event may arrive up to `latenessSeconds` behind the latest event
 * seen (the watermark) and still update its window; later than that, its window is closed
 * (`is_final`) and the event is set aside as late.
 *
 * Needs the connections `events_bus` (`nats://host:4222` or `amqp://user:pass@host:5672/vhost`)
 * and `warehouse_pg` (`postgres://…`). Without them a scheduled run is skipped with a warning and
 * a manual one fails saying what to set.
 */
import { dag, z } from "baton";
import { sqlCheck, sqlQuery } from "baton/operators";
import { connectionsConfigured, inTransaction, withPostgres } from "./_shared/postgres.js";
import { takeBatch } from "./_streaming/event-source.js";
import { parseEvent, sortBatch, WINDOW_MS, windowStart, type SetAside } from "./_streaming/windows.js";

const BUS = "events_bus";
const WAREHOUSE = "warehouse_pg";
const name = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "1 to 100 letters, digits, '_', '.' or '-'");

const params = z.object({
  /** NATS: the JetStream stream and the durable consumer that remembers our position. */
  stream: name.default("CHECKOUTS"),
  durable: name.default("checkout_dashboard"),
  /** RabbitMQ: the queue (it must exist). */
  queue: name.default("checkouts"),
  /** Most events taken per run, and the longest wait for them. */
  maxEvents: z.number().int().min(1).max(10_000).default(1000),
  waitSeconds: z.number().min(1).max(60).default(5),
  /** How far behind the watermark an event may arrive and still update its window. */
  latenessSeconds: z.number().int().min(0).max(86_400).default(120),
});

// SQL is declared before dag(): the DAG's callback runs while the file loads.
const DDL = [
  `CREATE TABLE IF NOT EXISTS checkout_events (
     event_id text PRIMARY KEY, event_time timestamptz NOT NULL, window_start timestamptz NOT NULL, store text NOT NULL,
     amount_cents bigint NOT NULL, source text NOT NULL, run_id text NOT NULL, ingested_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE INDEX IF NOT EXISTS checkout_events_window ON checkout_events (window_start, store)`,
  `CREATE TABLE IF NOT EXISTS checkout_events_set_aside (
     key text PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('late', 'invalid')), reason text NOT NULL, payload text NOT NULL,
     source text NOT NULL, run_id text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS checkout_per_minute (
     window_start timestamptz NOT NULL, window_end timestamptz NOT NULL, store text NOT NULL, events integer NOT NULL,
     revenue_cents bigint NOT NULL, max_amount_cents bigint NOT NULL, is_final boolean NOT NULL DEFAULT false,
     updated_at timestamptz NOT NULL DEFAULT now(), run_id text NOT NULL, PRIMARY KEY (window_start, store))`,
  `CREATE TABLE IF NOT EXISTS stream_watermarks (source text PRIMARY KEY, watermark timestamptz, updated_at timestamptz NOT NULL DEFAULT now())`,
];

/** Recomputes whole windows from the stored events: the same events always give the same row. */
const RECOMPUTE_WINDOWS = `
  INSERT INTO checkout_per_minute (window_start, window_end, store, events, revenue_cents, max_amount_cents, run_id)
  SELECT window_start, window_start + interval '${WINDOW_MS / 1000} seconds', store, count(*), sum(amount_cents), max(amount_cents), $2
  FROM checkout_events WHERE window_start = ANY($1::timestamptz[])
  GROUP BY window_start, store
  ON CONFLICT (window_start, store) DO UPDATE SET
    events = excluded.events, revenue_cents = excluded.revenue_cents, max_amount_cents = excluded.max_amount_cents,
    updated_at = now(), run_id = excluded.run_id
  WHERE (checkout_per_minute.events, checkout_per_minute.revenue_cents, checkout_per_minute.max_amount_cents)
    IS DISTINCT FROM (excluded.events, excluded.revenue_cents, excluded.max_amount_cents)`;

/** What one run did; the counts add up to `received`. */
interface IngestSummary {
  source: string;
  received: number;
  accepted: number;
  duplicates: number;
  late: number;
  invalid: number;
  windowsUpdated: number;
  watermark: string | null;
}

export default dag(
  {
    id: "streaming_ingest",
    description: "Micro-batches of checkout events from NATS or RabbitMQ into per-minute windows in PostgreSQL; ack after the write.",
    schedule: "5m",
    startDate: "2026-03-01",
    timezone: "UTC",
    catchup: false,
    tags: ["streaming", "nats", "rabbitmq", "postgres", "example"],
    owner: "data-team",
    params,
    defaults: { retries: 2, retryDelay: "5s" },
    // One batch at a time: the watermark moves in order.
    maxActiveRuns: 1,
    runTimeout: "4m",
  },
  (d) => {
    const ready = d.shortCircuit("connections_configured", (ctx) => connectionsConfigured(ctx, [BUS, WAREHOUSE]));

    const createTables = sqlQuery(d, "create_tables", { conn: WAREHOUSE, sql: DDL, after: [ready] });

    const ingest = d.task("ingest_batch", { after: [createTables], timeout: "2m" }, async (ctx): Promise<IngestSummary> => {
      const { stream, durable, queue, maxEvents, waitSeconds, latenessSeconds } = ctx.params;
      const batch = await takeBatch(await ctx.connection(BUS), { stream, durable, queue }, maxEvents, waitSeconds * 1000);
      try {
        const summary = await withPostgres(await ctx.connection(WAREHOUSE), (db) =>
          inTransaction(db, async (): Promise<IngestSummary> => {
            // Lock this source's watermark row: two runs never interleave their windows.
            await db.query("INSERT INTO stream_watermarks (source) VALUES ($1) ON CONFLICT (source) DO NOTHING", [batch.source]);
            const wm = await db.query<{ watermark: Date | null }>("SELECT watermark FROM stream_watermarks WHERE source = $1 FOR UPDATE", [batch.source]);
            const before = wm.rows[0]?.watermark?.getTime() ?? null;

            const ids = batch.payloads.map(parseEvent).flatMap((e) => (typeof e === "string" ? [] : [e.eventId]));
            const stored = await db.query<{ event_id: string }>("SELECT event_id FROM checkout_events WHERE event_id = ANY($1::text[])", [ids]);
            const sorted = sortBatch(batch.payloads, new Set(stored.rows.map((r) => r.event_id)), before, latenessSeconds * 1000);

            const rows = sorted.accepted.map((e) => ({ ...e, windowStart: new Date(windowStart(Date.parse(e.eventTime))).toISOString() }));
            await db.query(
              `INSERT INTO checkout_events (event_id, event_time, window_start, store, amount_cents, source, run_id)
               SELECT r."eventId", r."eventTime", r."windowStart", r.store, r."amountCents", $2, $3
               FROM jsonb_to_recordset($1::jsonb) AS r("eventId" text, "eventTime" timestamptz, "windowStart" timestamptz, store text, "amountCents" bigint)
               ON CONFLICT (event_id) DO NOTHING`,
              [JSON.stringify(rows), batch.source, ctx.runId],
            );
            const setAside: (SetAside & { kind: "late" | "invalid" })[] = [
              ...sorted.late.map((s) => ({ ...s, kind: "late" as const })),
              ...sorted.invalid.map((s) => ({ ...s, kind: "invalid" as const })),
            ];
            await db.query(
              `INSERT INTO checkout_events_set_aside (key, kind, reason, payload, source, run_id)
               SELECT r.key, r.kind, r.reason, r.payload, $2, $3
               FROM jsonb_to_recordset($1::jsonb) AS r(key text, kind text, reason text, payload text)
               ON CONFLICT (key) DO NOTHING`,
              [JSON.stringify(setAside), batch.source, ctx.runId],
            );
            const windows = [...new Set(rows.map((r) => r.windowStart))];
            const updated = await db.query(RECOMPUTE_WINDOWS, [windows, ctx.runId]);
            const watermark = sorted.watermark === null ? null : new Date(sorted.watermark).toISOString();
            await db.query("UPDATE stream_watermarks SET watermark = $2, updated_at = now() WHERE source = $1", [batch.source, watermark]);
            // Windows that ended before watermark − lateness can no longer change: mark them final.
            await db.query(
              `UPDATE checkout_per_minute SET is_final = true, updated_at = now()
               WHERE NOT is_final AND window_end <= $1::timestamptz - make_interval(secs => $2)`,
              [watermark, latenessSeconds],
            );
            return {
              source: batch.source,
              received: batch.payloads.length,
              accepted: sorted.accepted.length,
              duplicates: sorted.duplicates,
              late: sorted.late.length,
              invalid: sorted.invalid.length,
              windowsUpdated: updated.rowCount ?? 0,
              watermark,
            };
          }),
        );
        // Acknowledge only now, after the commit. Should the ack itself fail, the broker delivers
        // the batch again and the event ids make the second write a no-op: at least once, counted once.
        await batch.ack();
        ctx.log.info("ingested a batch", { ...summary });
        return summary;
      } catch (e) {
        await batch.release().catch(() => undefined);
        throw e;
      } finally {
        await batch.close();
      }
    });

    // The dashboard's table must always agree with the events it was computed from.
    sqlCheck(d, "check_metrics", {
      conn: WAREHOUSE,
      after: [ingest],
      checks: [
        { name: "one row per window and store", unique: { table: "checkout_per_minute", columns: ["window_start", "store"] } },
        { name: "every window has a store", nullRatio: { table: "checkout_per_minute", column: "store", max: 0 } },
        {
          name: "windows match the stored events",
          query: `SELECT count(*) = 0 FROM
                    (SELECT window_start, store, count(*) AS events, sum(amount_cents) AS revenue FROM checkout_events GROUP BY 1, 2) e
                    FULL JOIN checkout_per_minute m USING (window_start, store)
                  WHERE e.events IS DISTINCT FROM m.events OR e.revenue IS DISTINCT FROM m.revenue_cents`,
        },
      ],
    });
  },
);
