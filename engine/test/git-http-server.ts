/**
 * Git's smart HTTP on 127.0.0.1 for the checkout tests: `git http-backend` (CGI) behind HTTP
 * basic authentication with a token, or a server that answers with a trickle and never finishes
 * (a fetch that hangs until it is killed).
 */
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";

export class GitHttpServer {
  private server: http.Server | undefined;
  private readonly trickles = new Set<NodeJS.Timeout>();
  /** Requests that carried the right credentials. */
  authorized = 0;
  /** Requests that asked for the repository at all. */
  requests = 0;
  url = "";

  constructor(
    private readonly opts: {
      /** Holds `<name>.git`. */
      root: string;
      username: string;
      token: string;
      /** Answer every request with a never-ending trickle; `authorized`: only those with the right credentials. */
      trickle?: boolean | "authorized";
    },
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.trickles) clearInterval(t);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++;
    const expected = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.token}`).toString("base64")}`;
    if (this.opts.trickle === true || (this.opts.trickle === "authorized" && req.headers.authorization === expected)) {
      if (req.headers.authorization === expected) this.authorized++;
      res.writeHead(200, { "Content-Type": "application/x-git-upload-pack-advertisement" });
      const timer = setInterval(() => res.write("0"), 200);
      this.trickles.add(timer);
      res.on("close", () => {
        clearInterval(timer);
        this.trickles.delete(timer);
      });
      return;
    }
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end();
      return;
    }
    this.authorized++;
    const url = new URL(req.url ?? "/", "http://x");
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: this.opts.root,
        GIT_HTTP_EXPORT_ALL: "1",
        GIT_CONFIG_NOSYSTEM: "1",
        REQUEST_METHOD: req.method,
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        REMOTE_USER: this.opts.username,
        REMOTE_ADDR: "127.0.0.1",
        ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
        ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"]) } : {}),
      },
      stdio: ["pipe", "pipe", "inherit"],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split("\r\n")) {
        const [name, ...rest] = line.split(":");
        const value = rest.join(":").trim();
        if (name?.toLowerCase() === "status") status = Number(value.split(" ")[0]);
        else if (name) res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.on("close", () => res.end());
  }
}
