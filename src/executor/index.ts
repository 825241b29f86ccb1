export { LocalProcessExecutor, type LocalProcessExecutorOptions } from "./local-process-executor.js";
export { InProcessExecutor, type InProcessExecutorOptions } from "./in-process-executor.js";
