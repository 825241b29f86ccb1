// Entry of the DAG-processor child process: loads the DAG files the parent sends, one at a time,
// so that user code (which may hang, exit or leak) never runs in the scheduler's process.
import { loadOneFile } from "./load-one-file.js";
import type { LoadRequest, LoadResponse } from "./load-result.js";

process.setSourceMapsEnabled(true);

// User code may leave failing timers or promises behind; they must not end the loads of other files.
process.on("uncaughtException", (e) => process.stderr.write(`uncaught exception in DAG code: ${e.stack ?? String(e)}\n`));
process.on("unhandledRejection", (e) => process.stderr.write(`unhandled rejection in DAG code: ${String((e as Error)?.stack ?? e)}\n`));

process.on("message", (message: LoadRequest) => {
  void loadOneFile(message.file, message.bundleDir).then((result) => {
    const response: LoadResponse = { id: message.id, result };
    process.send?.(response);
  });
});
process.on("disconnect", () => process.exit(0));
