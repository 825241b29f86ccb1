import { InProcessExecutor } from "./in-process-executor.js";
import { describeExecutorContract } from "./testing/executor-contract.js";

describeExecutorContract("InProcessExecutor", () => new InProcessExecutor({ concurrency: 2, echoOutput: false }));
