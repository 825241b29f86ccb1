/**
 * A callback child of LocalProcessExecutor: runs ONE callback function (docs/alerts.md) and exits.
 * Receives `{ callback: CallbackRequest }` over IPC, answers `{ outcome }`. The pool kills it when
 * it outlives its time limit; it exits when the pool goes away.
 */
import type { CallbackOutcome, CallbackRequest } from "../../core/ports/executor.js";
import { runCallback } from "./run-callback.js";

const controller = new AbortController();

process.once("message", (message: { callback: CallbackRequest }) => {
  void runCallback(message.callback, controller.signal).then((outcome: CallbackOutcome) => {
    if (process.connected) process.send!({ outcome }, () => process.exit(0));
    else process.exit(0);
  });
});
process.on("SIGTERM", () => {
  controller.abort(new Error("callback timed out"));
  setTimeout(() => process.exit(0), 200).unref();
});
process.on("SIGINT", () => {});
process.on("disconnect", () => process.exit(0));
