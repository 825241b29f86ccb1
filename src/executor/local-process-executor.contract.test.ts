import { LocalProcessExecutor } from "./local-process-executor.js";
import { describeExecutorContract } from "./testing/executor-contract.js";

describeExecutorContract("LocalProcessExecutor", () => new LocalProcessExecutor({ processes: 2, prefetch: 2, killGraceMs: 500 }));
