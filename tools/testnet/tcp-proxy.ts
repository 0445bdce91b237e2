/**
 * A TCP forwarder between test hosts and a service of the test process's namespace (PostgreSQL
 * on loopback), listening on the test network's gateway. `blackhole()` makes it a partition:
 * nothing is forwarded either way and new connections are accepted but never answered, as when
 * packets are dropped (connections hang, they are not reset); `restore()` delivers what was held,
 * as TCP's retransmissions would once the network heals.
 */
import net from "node:net";

type Pair = { client: net.Socket; upstream: net.Socket | undefined; held: { to: net.Socket; data: Buffer }[] };

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<Pair>();
  private holed = false;
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listenHost: string,
  ) {}

  async start(): Promise<this> {
    const server = net.createServer((client) => {
      const pair: Pair = { client, upstream: undefined, held: [] };
      this.pairs.add(pair);
      const end = () => {
        this.pairs.delete(pair);
        client.destroy();
        pair.upstream?.destroy();
      };
      client.on("error", end).on("close", end);
      client.on("data", (data) => this.forward(pair, "up", data));
      if (!this.holed) this.connectUpstream(pair);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, this.listenHost, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  private connectUpstream(pair: Pair): net.Socket {
    const upstream = net.connect(this.target);
    pair.upstream = upstream;
    const end = () => {
      this.pairs.delete(pair);
      pair.client.destroy();
      upstream.destroy();
    };
    upstream.on("error", end).on("close", end);
    upstream.on("data", (data) => this.forward(pair, "down", data));
    return upstream;
  }

  private forward(pair: Pair, direction: "up" | "down", data: Buffer): void {
    const to = direction === "down" ? pair.client : pair.upstream;
    if (this.holed || !to) pair.held.push({ to: to ?? pair.client, data });
    else to.write(data);
  }

  /** From now on nothing passes, in either direction, on open or new connections. */
  blackhole(): void {
    this.holed = true;
  }

  /** The network heals: held bytes are delivered in order, and traffic flows again. */
  restore(): void {
    this.holed = false;
    for (const pair of this.pairs) {
      if (!pair.upstream) {
        // Connected during the blackhole: what the client sent goes upstream once connected.
        const sent = pair.held.map((h) => h.data);
        pair.held = [];
        const upstream = this.connectUpstream(pair);
        for (const data of sent) upstream.write(data);
        continue;
      }
      for (const { to, data } of pair.held.splice(0)) to.write(data);
    }
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
