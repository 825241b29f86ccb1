/**
 * Last line of defence for the `baton` process: a promise rejected with nobody to catch it, or an
 * exception thrown from a callback, is a defect. Instead of Node's default (a bare stack trace on
 * stderr, or nothing once a logger owns stderr), it is written as one JSON line naming the defect,
 * then the process exits with code 70 (EX_SOFTWARE) so a supervisor restarts it; a scheduler's
 * crash recovery then retries its in-flight attempts.
 */
export function installCrashHandlers(proc: NodeJS.Process = process, write: (line: string) => void = (l) => process.stderr.write(l)): void {
  const die = (kind: string) => (reason: unknown) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    write(
      `${JSON.stringify({ level: 60, time: Date.now(), msg: `baton: ${kind}; exiting (this is a bug, please report it)`, err: { message: err.message, stack: err.stack } })}\n`,
    );
    proc.exit(70);
  };
  proc.on("unhandledRejection", die("unhandled promise rejection"));
  proc.on("uncaughtException", die("uncaught exception"));
}
