/**
 * Where webhook requests may go: public addresses only, unless private ones are allowed
 * (`SLUICE_WEBHOOK_ALLOW_PRIVATE=1`). What is checked is every address a host name resolves to,
 * and the request connects to the checked address, so a name that later resolves elsewhere
 * (DNS rebinding) gains nothing.
 */
import dns from "node:dns";
import net from "node:net";

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(prefix, bits, "ipv4");
}
for (const [prefix, bits] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b::", 96], // NAT64 (embeds an IPv4 address)
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  BLOCKED.addSubnet(prefix, bits, "ipv6");
}

/** True for loopback, private, link-local and other addresses that are not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, "ipv4");
  if (family === 6) {
    // IPv4-mapped (::ffff:10.0.0.1) and IPv4-compatible forms are judged as the IPv4 address.
    const mapped = /^(?:::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return BLOCKED.check(mapped[1] as string, "ipv4");
    return BLOCKED.check(address, "ipv6");
  }
  return true;
}

export class AddressNotAllowedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a private or loopback address`);
    this.name = "AddressNotAllowedError";
  }
}

export type LookupFn = (
  hostname: string,
  options: dns.LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
) => void;

/**
 * A `lookup` for `http.request`: resolves the name, refuses it when any of its addresses is
 * private (unless allowed), and hands the socket exactly the addresses it checked.
 */
export function guardedLookup(allowPrivate: boolean): LookupFn {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as dns.LookupAddress[];
      const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (refused) return callback(new AddressNotAllowedError(hostname, refused.address) as never, []);
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** Checks a URL's host before it is saved: a literal address, or every address its name resolves to. */
export async function checkHost(
  hostname: string,
  allowPrivate: boolean,
): Promise<{ ok: true } | { ok: false; reason: "private" | "unresolvable"; address?: string }> {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) {
    return allowPrivate || !isPrivateAddress(host) ? { ok: true } : { ok: false, reason: "private", address: host };
  }
  if (allowPrivate) return { ok: true };
  if (host === "localhost" || host.endsWith(".localhost")) return { ok: false, reason: "private", address: host };
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    return refused ? { ok: false, reason: "private", address: refused.address } : { ok: true };
  } catch {
    return { ok: false, reason: "unresolvable" };
  }
}
