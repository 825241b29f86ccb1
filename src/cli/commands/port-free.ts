import { createServer } from "node:net";
import { InvalidInputError } from "../../core/errors.js";

/** A listening port that something else holds: exit 2, with how to pick another. */
export class PortInUseError extends InvalidInputError {}

/** How to choose another port, per listener. */
export const API_PORT_HINT = "pick another with --port <port> or BATON_API_PORT (0 = any free port)";
export const METRICS_PORT_HINT = "pick another with --metrics-port <port> or BATON_METRICS_PORT";

/** The error for `EADDRINUSE` on host:port (or the error itself when it is something else). */
export function portError(error: unknown, host: string, port: number, hint: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "EADDRINUSE") return new PortInUseError(`port ${port} on ${host} is already in use (another Baton, or another program): ${hint}.`);
  if (code === "EACCES") return new PortInUseError(`port ${port} on ${host} may not be opened by this user: ${hint}.`);
  return error;
}

/**
 * Throws `PortInUseError` when host:port cannot be listened on, by listening on it and closing at
 * once. Called before anything starts (database, scheduler, workers), so a taken port stops the
 * command with nothing left running. Port 0 (any free port) always passes.
 */
export async function assertPortFree(host: string, port: number, hint: string): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
  } catch (error) {
    throw portError(error, host, port, hint);
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
