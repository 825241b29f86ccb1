// Entry of the DAG-processor child process: loads the DAG files the parent sends, one at a time,
// so that user code (which may hang, exit or leak) never runs in the scheduler's process.
import { writeSync } from "node:fs";
import { loadOneFile } from "./load-one-file.js";
import { EXIT_CALLED_MARKER, type LoadRequest, type LoadResponse } from "./load-result.js";

process.setSourceMapsEnabled(true);

// User code may leave failing timers or promises behind; they must not end the loads of other files.
process.on("uncaughtException", (e) => process.stderr.write(`uncaught exception in DAG code: ${e.stack ?? String(e)}\n`));
process.on("unhandledRejection", (e) => process.stderr.write(`unhandled rejection in DAG code: ${String((e as Error)?.stack ?? e)}\n`));

// A DAG file calling process.exit still ends the process (code after the call must not run), but
// the parent is told it was a call, not a crash.
const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  try {
    writeSync(2, EXIT_CALLED_MARKER);
  } catch {
    // stderr unwritable (a full pipe): exit all the same; the parent then reports the exit code.
  }
  return exit(code);
}) as typeof process.exit;

process.on("message", (message: LoadRequest) => {
  void loadOneFile(message.file, message.bundleDir).then((result) => {
    const response: LoadResponse = { id: message.id, result };
    process.send?.(response);
  });
});
process.on("disconnect", () => exit(0));
