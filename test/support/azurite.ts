import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort } from "./free-port.js";

export { freePort };

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface TestAzurite {
  /** The blob endpoint, path-style: http://127.0.0.1:<port>/devstoreaccount1 */
  endpoint: string;
  port: number;
  connectionString: string;
  /** A connection URI for the `wasb` type (account, key, endpoint). */
  uri: string;
  close(): Promise<void>;
}

const BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "azurite-blob");

/** Azurite's blob service as a child process on 127.0.0.1 and a free port, in memory. */
export async function startAzurite(): Promise<TestAzurite> {
  const port = await freePort();
  const proc = spawn(BIN, ["--blobHost", "127.0.0.1", "--blobPort", String(port), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  await waitListening(port, proc, () => output);
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`,
    uri: `wasb://${AZURITE_ACCOUNT}:${encodeURIComponent(AZURITE_KEY)}@127.0.0.1:${port}/${AZURITE_ACCOUNT}?scheme=http`,
    close: () => stop(proc),
  };
}

async function waitListening(port: number, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`azurite-blob exited ${proc.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host: "127.0.0.1", port });
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`azurite-blob did not listen on 127.0.0.1:${port} within 30s: ${output()}`);
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
    proc.once("exit", () => (clearTimeout(timer), resolve()));
    proc.kill("SIGTERM");
  });
}
