// Small helpers of the serving commands (`baton standalone`, `baton scheduler`), apart from
// scheduler-parts.ts so that `baton standalone` loads the scheduler's modules only after its API
// answers (issue 13: start fast).

/** The banner's "Workers:" line: the local pool, or none with `--workers 0`. */
export function workersBanner(workers: number): string {
  return workers === 0 ? "none (remote workers only)" : `${workers} process(es)`;
}

/** A database URL fit to print: a PostgreSQL password becomes `***`. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/**
 * Resolves with exit code 0 once `stop` has finished after the first SIGTERM or SIGINT; a second
 * signal forces exit 130.
 */
export function untilSignalled(stop: (signal: string) => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        process.stderr.write("Forced exit.\n");
        process.exit(130);
      }
      stopping = true;
      void stop(signal).then(
        () => {
          process.stdout.write("Baton stopped.\n");
          resolve(0);
        },
        (error: unknown) => {
          process.stderr.write(`error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
  });
}
