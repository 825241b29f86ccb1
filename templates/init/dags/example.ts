/**
 * example_etl — a daily extract → transform → load, to copy and change.
 *
 *   npx baton dags test example_etl                          # one run now, in this process
 *   npx baton dags test example_etl --conf '{"minAmount": 50}'
 *
 * Each task's return value is handed to the tasks that list it in `inputs`, typed: `transform`
 * receives `Order[]`, `load` receives `Record<string, number>`. Values travel as JSON, so keep
 * them small (counts, totals, file paths), not whole data sets.
 */
import { dag, z } from "baton";

export interface Order {
  id: number;
  region: string;
  amount: number;
}

export default dag(
  {
    id: "example_etl",
    description: "Extract the day's orders, total them by region, load the totals.",
    schedule: "@daily", // or cron ("0 6 * * 1-5"), "15m", or null for manual runs only
    startDate: "2026-01-01",
    catchup: false, // true: also run every day missed since startDate
    tags: ["example"],
    // The run's params, checked before the run starts; `ctx.params` is typed from this schema.
    params: z.object({
      minAmount: z.number().min(0).default(0),
    }),
    // Every task: a thrown error is retried twice, 30 seconds apart, before the task fails.
    defaults: { retries: 2, retryDelay: "30s" },
  },
  (d) => {
    const extract = d.task("extract", async (): Promise<Order[]> => {
      // Read from your source here (a database, an API, files). ctx.ds is the day, "YYYY-MM-DD".
      return [
        { id: 1, region: "eu", amount: 120 },
        { id: 2, region: "us", amount: 75 },
        { id: 3, region: "eu", amount: 30 },
      ];
    });

    const transform = d.task("transform", { inputs: { orders: extract } }, (ctx, { orders }) => {
      const totals: Record<string, number> = {};
      for (const order of orders) {
        if (order.amount < ctx.params.minAmount) continue;
        totals[order.region] = (totals[order.region] ?? 0) + order.amount;
      }
      return totals;
    });

    d.task("load", { inputs: { totals: transform }, retries: 5 }, async (ctx, { totals }) => {
      // Write to your destination here; this example only logs what it would write.
      for (const [region, amount] of Object.entries(totals)) ctx.log.info("loaded total", { ds: ctx.ds, region, amount });
      return { regions: Object.keys(totals).length };
    });
  },
);
