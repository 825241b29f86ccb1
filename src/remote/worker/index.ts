export { WorkerAgent } from "./worker-agent.js";
export { type WorkerAgentOptions } from "./worker-options.js";
export { WorkerRefusedError } from "./worker-channel.js";
