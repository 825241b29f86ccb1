import { BlockList, isIP } from "node:net";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * Whether a connection's peer address is this machine's loopback: 127.0.0.0/8, ::1, or an
 * IPv4-mapped 127.x (`::ffff:127.0.0.1`, as a dual-stack socket reports it). Only the socket's own
 * address may be passed here, never a header such as X-Forwarded-For: any client can write those.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  // BlockList checks an IPv4-mapped IPv6 address against the IPv4 rules too.
  return LOOPBACK.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** Whether listening on `host` (an address or `localhost`) serves this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || isLoopbackAddress(h);
}
