import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * Test hosts in network namespaces (`ip netns`, veth pairs, one bridge): each host has its own
 * address on a private /24; the test process (root namespace) is the gateway `.1`. Traffic
 * stays on this machine. Needs root and iproute2: {@link netnsUnavailable} says why not.
 */
export interface TestHost {
  name: string;
  /** The namespace's name, for `ip netns exec`. */
  ns: string;
  address: string;
  /** The veth end in the root namespace: down = the host's link is cut. */
  link: string;
}

export interface TestNetwork {
  gateway: string;
  hosts: Map<string, TestHost>;
  /** argv prefix that runs a command inside `host`'s namespace. */
  exec(host: string): string[];
  /** Cuts (down) or restores (up) the host's only link. */
  setLink(host: string, up: boolean): void;
  dispose(): void;
}

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Why namespaces cannot be made here, or undefined when they can (tried for real, then removed). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "network namespaces need root (ip netns add)";
  const probe = `btprobe${randomBytes(3).toString("hex")}`;
  try {
    ip("netns", "add", probe);
    ip("netns", "delete", probe);
    return undefined;
  } catch (e) {
    return `ip netns add failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

export async function createTestNetwork(names: string[]): Promise<TestNetwork> {
  const sfx = randomBytes(2).toString("hex");
  const subnet = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]!}`;
  const bridge = `btbr${sfx}`;
  const gateway = `${subnet}.1`;
  const hosts = new Map<string, TestHost>();
  const made: (() => void)[] = [];
  const dispose = () => {
    for (const undo of made.reverse()) {
      try {
        undo();
      } catch {
        // Already gone.
      }
    }
    made.length = 0;
  };
  try {
    ip("link", "add", bridge, "type", "bridge");
    made.push(() => ip("link", "delete", bridge));
    ip("addr", "add", `${gateway}/24`, "dev", bridge);
    ip("link", "set", bridge, "up");
    names.forEach((name, i) => {
      const ns = `bt${sfx}-${name}`;
      const link = `bt${sfx}h${i}`;
      const peer = `bt${sfx}p${i}`;
      const address = `${subnet}.${11 + i}`;
      ip("netns", "add", ns);
      made.push(() => ip("netns", "delete", ns));
      ip("link", "add", link, "type", "veth", "peer", "name", peer);
      made.push(() => ip("link", "delete", link));
      ip("link", "set", peer, "netns", ns);
      ip("link", "set", link, "master", bridge);
      ip("link", "set", link, "up");
      ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
      ip("netns", "exec", ns, "ip", "link", "set", peer, "name", "eth0");
      ip("netns", "exec", ns, "ip", "addr", "add", `${address}/24`, "dev", "eth0");
      ip("netns", "exec", ns, "ip", "link", "set", "eth0", "up");
      ip("netns", "exec", ns, "ip", "route", "add", "default", "via", gateway);
      hosts.set(name, { name, ns, address, link });
    });
    await untilReachable(
      gateway,
      [...hosts.values()].map((h) => h.ns),
    );
  } catch (e) {
    dispose();
    throw e;
  }
  return {
    gateway,
    hosts,
    exec: (host) => ["ip", "netns", "exec", hosts.get(host)!.ns],
    setLink: (host, up) => {
      ip("link", "set", hosts.get(host)!.link, up ? "up" : "down");
    },
    dispose,
  };
}

/** A fresh bridge port drops the first packets for a moment: waits until every host reaches the gateway (10 s at most). */
async function untilReachable(gateway: string, namespaces: string[]): Promise<void> {
  const server = createServer((s) => s.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, gateway, () => resolve()));
  const port = (server.address() as { port: number }).port;
  const probe = `const s=require("net").connect(${port},${JSON.stringify(gateway)});s.setTimeout(500,()=>process.exit(1));s.on("data",()=>process.exit(0));s.on("error",()=>process.exit(1))`;
  try {
    for (const ns of namespaces) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          // Not execFileSync: the gateway's server lives in this process and must answer meanwhile.
          await promisify(execFile)("ip", ["netns", "exec", ns, process.execPath, "-e", probe]);
          break;
        } catch {
          if (Date.now() > deadline) throw new Error(`test host ${ns} cannot reach ${gateway} after 10 s`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  } finally {
    server.close();
  }
}

/** Forwards TCP from `listenHost:listenPort` (e.g. the gateway) to `target` (e.g. PostgreSQL on 127.0.0.1). */
export async function forwardTcp(listenHost: string, listenPort: number, targetHost: string, targetPort: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(listenPort, listenHost, () => resolve()));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
