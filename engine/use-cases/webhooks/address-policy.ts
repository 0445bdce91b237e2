/**
 * Where webhook requests may go: public addresses only, unless private ones are allowed
 * (`SLUICE_WEBHOOK_ALLOW_PRIVATE=1`). One rule, `addressAllowed`, judges every address at every
 * step, for creation, test pings, deliveries and redeliveries alike: a URL when it is saved, and
 * for every request the address it connects to — a literal host before any connection (Node
 * never calls `lookup` for one), every address a name resolves to in the socket's `lookup` (the
 * socket connects to exactly the checked address, so a name re-pointed later gains nothing), and
 * the connected socket's remote address before a byte is written.
 *
 * Written with Node's `net.BlockList` (which also judges IPv4-mapped `::ffff:a.b.c.d` addresses
 * by their IPv4 rules) rather than a library: the WHATWG URL parser already turns every IPv4
 * spelling (`2130706433`, `0x7f.1`, `017700000001`) into dotted form, so what is left is the
 * table below and the IPv6 forms that carry an IPv4 address, which no kept library covers whole.
 */
import dns from "node:dns";
import net from "node:net";

/** IPv4 ranges that are not the public internet. */
const IPV4_BLOCKED = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relays
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const;

/** IPv6 ranges that are not the public internet, or that carry an address we cannot judge. */
const IPV6_BLOCKED = [
  ["::", 96], // unspecified, loopback, and the deprecated IPv4-compatible ::a.b.c.d (RFC 4291)
  ["::ffff:0:0:0", 96], // IPv4-translated (RFC 6145)
  ["64:ff9b:1::", 48], // local-use NAT64 (RFC 8215)
  ["100::", 64], // discard
  ["2001::", 32], // Teredo tunnels
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const;

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of IPV4_BLOCKED) {
  BLOCKED.addSubnet(prefix, bits, "ipv4");
  // The same range inside the IPv6 forms that carry an IPv4 address and reach it: NAT64's
  // well-known prefix 64:ff9b::/96 (RFC 6052) and 6to4's 2002::/16. (IPv4-mapped addresses the
  // BlockList judges by these IPv4 rules itself.) A public IPv4 address inside them stays allowed.
  const [high, low] = ipv4Groups(prefix);
  BLOCKED.addSubnet(`64:ff9b::${high}:${low}`, 96 + bits, "ipv6");
  BLOCKED.addSubnet(`2002:${high}:${low}::`, 16 + bits, "ipv6");
}
for (const [prefix, bits] of IPV6_BLOCKED) BLOCKED.addSubnet(prefix, bits, "ipv6");

/** An IPv4 address as the two hex groups of IPv6 notation. */
function ipv4Groups(address: string): [string, string] {
  const [a, b, c, d] = address.split(".").map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/** True for loopback, private, link-local and other addresses that are not on the public internet; and for non-addresses. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = net.isIP(bare);
  if (family === 4) return BLOCKED.check(bare, "ipv4");
  if (family === 6) return BLOCKED.check(bare, "ipv6");
  return true;
}

/** The policy: may a webhook request go to this IP address? */
export function addressAllowed(address: string, allowPrivate: boolean): boolean {
  return allowPrivate || !isPrivateAddress(address);
}

export class AddressNotAllowedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      host === address
        ? `${address} is a private or loopback address`
        : `${host} resolves to ${address}, a private or loopback address`,
    );
    this.name = "AddressNotAllowedError";
  }
}

/** A URL's host as a request uses it: IP literals canonical (the WHATWG parser's), without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

/**
 * The refusal for a URL whose host is an IP literal not allowed, before connecting: Node connects
 * to a literal without calling `lookup`. Undefined for names and allowed literals.
 */
export function literalRefusal(url: URL, allowPrivate: boolean): AddressNotAllowedError | undefined {
  const host = hostOf(url);
  if (net.isIP(host) === 0 || addressAllowed(host, allowPrivate)) return undefined;
  return new AddressNotAllowedError(host, host);
}

export type LookupFn = (
  hostname: string,
  options: dns.LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
) => void;

/**
 * A `lookup` for `http.request`: resolves the name, refuses it when any of its addresses is not
 * allowed, and hands the socket exactly the addresses it checked.
 */
export function guardedLookup(allowPrivate: boolean): LookupFn {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as dns.LookupAddress[];
      const refused = list.find((a) => !addressAllowed(a.address, allowPrivate));
      if (refused) return callback(new AddressNotAllowedError(hostname, refused.address), []);
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * The last check, whatever the host form or however the address was found: once the socket has
 * connected, and before anything queued on it is written (this listener runs first), its remote
 * address is judged; a refused one destroys the socket with `AddressNotAllowedError`.
 */
export function guardConnection(socket: net.Socket, host: string, allowPrivate: boolean): void {
  const judge = () => {
    const address = socket.remoteAddress;
    if (address !== undefined && addressAllowed(address, allowPrivate)) return;
    socket.destroy(new AddressNotAllowedError(host, address ?? "an unknown address"));
  };
  if (socket.connecting) socket.prependOnceListener("connect", judge);
  else judge();
}

/** Checks a URL's host before it is saved: a literal address, or every address its name resolves to. */
export async function checkHost(
  hostname: string,
  allowPrivate: boolean,
): Promise<{ ok: true } | { ok: false; reason: "private" | "unresolvable"; address?: string }> {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) {
    return addressAllowed(host, allowPrivate) ? { ok: true } : { ok: false, reason: "private", address: host };
  }
  if (allowPrivate) return { ok: true };
  if (host === "localhost" || host.endsWith(".localhost")) return { ok: false, reason: "private", address: host };
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    const refused = addresses.find((a) => !addressAllowed(a.address, allowPrivate));
    return refused ? { ok: false, reason: "private", address: refused.address } : { ok: true };
  } catch {
    return { ok: false, reason: "unresolvable" };
  }
}
