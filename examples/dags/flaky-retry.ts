/**
 * flaky_retry — retries with exponential backoff.
 *
 * `call_flaky_api` stands for a call to a service that is briefly unavailable: it fails on its
 * first two attempts and succeeds on the third. With `retryDelay: "1s"` and exponential backoff
 * the waits are 1s then 2s, never more than `maxRetryDelay`. `report` runs once, after the
 * success, and receives the value of the attempt that succeeded.
 */
import { dag } from "baton";

export default dag(
  {
    id: "flaky_retry",
    description: "A task that fails twice, then succeeds on its third try.",
    schedule: null,
    startDate: "2026-01-01",
    tags: ["retries", "example"],
  },
  (d) => {
    const callFlakyApi = d.task("call_flaky_api", { retries: 3, retryDelay: "1s", retryExponentialBackoff: true, maxRetryDelay: "5s" }, async (ctx) => {
      if (ctx.tryNumber < 3) {
        // A plain Error is retried; throw FailTask to fail at once without using the retries.
        throw new Error(`service unavailable (attempt ${ctx.tryNumber} of ${ctx.maxTries})`);
      }
      ctx.log.info("service answered", { attempt: ctx.tryNumber });
      return { attempt: ctx.tryNumber, records: 42 };
    });

    d.task("report", { inputs: { api: callFlakyApi } }, async (ctx, { api }) => {
      ctx.log.info("fetched records", { records: api.records, afterAttempts: api.attempt });
      return `${api.records} records after ${api.attempt} attempts`;
    });
  },
);
