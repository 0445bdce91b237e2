/**
 * The webhook address policy over every host form, and the connection guard: a socket to a
 * refused address is destroyed once connected, before anything queued on it is written.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AddressNotAllowedError, addressAllowed, checkHost, guardConnection, hostOf } from "./address-policy.ts";

/** A URL's host as a request connects to it (every IPv4 spelling canonical). */
const host = (spelling: string) => hostOf(new URL(`http://${spelling}/`));

describe("the webhook address policy", () => {
  it.each([
    ["127.0.0.1"],
    ["2130706433"], // decimal
    ["0x7f.1"], // hex, two parts
    ["0x7f000001"],
    ["017700000001"], // octal
    ["0177.0.0.1"],
    ["127.1"],
    ["0.0.0.0"],
    ["10.1.2.3"],
    ["172.16.0.1"],
    ["192.168.0.10"],
    ["169.254.169.254"], // cloud metadata
    ["100.64.0.1"], // carrier-grade NAT
    ["224.0.0.1"],
    ["255.255.255.255"],
    ["[::1]"],
    ["[::]"],
    ["[::ffff:127.0.0.1]"], // IPv4-mapped
    ["[::ffff:7f00:1]"],
    ["[::ffff:10.0.0.1]"],
    ["[::127.0.0.1]"], // IPv4-compatible (::/96)
    ["[::8.8.8.8]"], // deprecated form, refused whatever it embeds
    ["[::ffff:0:127.0.0.1]"], // IPv4-translated
    ["[64:ff9b::127.0.0.1]"], // NAT64 of loopback
    ["[64:ff9b::a9fe:a9fe]"], // NAT64 of the metadata address
    ["[64:ff9b:1::808:808]"], // local-use NAT64
    ["[2002:7f00:1::1]"], // 6to4 of loopback
    ["[2002:c0a8:1::1]"], // 6to4 of 192.168.0.1
    ["[2001::1]"], // Teredo
    ["[fc00::1]"],
    ["[fd12:3456::1]"],
    ["[fe80::1]"],
    ["[fec0::1]"],
    ["[ff02::1]"],
    ["[2001:db8::1]"],
  ])("refuses %s", (spelling) => {
    const address = host(spelling);
    expect(addressAllowed(address, false)).toBe(false);
    // Allowed when private addresses are.
    expect(addressAllowed(address, true)).toBe(true);
  });

  it.each([
    ["8.8.8.8"],
    ["1.1.1.1"],
    ["134744072"], // 8.8.8.8 in decimal
    ["[2606:4700:4700::1111]"],
    ["[::ffff:8.8.8.8]"],
    ["[64:ff9b::8.8.8.8]"], // NAT64 of a public address (DNS64 networks)
    ["[2002:808:808::1]"], // 6to4 of a public address
  ])("allows %s", (spelling) => {
    expect(addressAllowed(host(spelling), false)).toBe(true);
  });

  it("refuses what is not an address, and names that resolve to loopback, when saved", async () => {
    expect(addressAllowed("not-an-address", false)).toBe(false);
    expect(await checkHost("localhost", false)).toMatchObject({ ok: false, reason: "private" });
    expect(await checkHost(host("[::127.0.0.1]"), false)).toMatchObject({ ok: false, reason: "private" });
    expect(await checkHost(host("0x7f.1"), false)).toMatchObject({ ok: false, address: "127.0.0.1" });
    expect(await checkHost("8.8.8.8", false)).toEqual({ ok: true });
  });
});

describe("the connection guard", () => {
  let server: net.Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("destroys a socket connected to a refused address before a byte queued on it is written", async () => {
    let received = 0;
    let closed: () => void = () => {};
    const serverSideClosed = new Promise<void>((resolve) => (closed = resolve));
    server = net.createServer((socket) => {
      socket.on("data", (chunk) => {
        received += chunk.length;
      });
      socket.on("error", () => {});
      socket.on("close", () => closed());
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;

    const socket = net.connect({ host: "127.0.0.1", port });
    // Queued while connecting, as an HTTP request's headers and body are.
    socket.write("POST /hook HTTP/1.1\r\nHost: x\r\n\r\n");
    guardConnection(socket, "127.0.0.1", false);
    const error = await new Promise<Error>((resolve) => socket.on("error", resolve));
    expect(error).toBeInstanceOf(AddressNotAllowedError);
    await serverSideClosed;
    expect(received).toBe(0);
  });

  it("lets a socket to an allowed address through", async () => {
    let arrived: (text: string) => void = () => {};
    const received = new Promise<string>((resolve) => (arrived = resolve));
    server = net.createServer((socket) => {
      socket.on("data", (chunk) => arrived(chunk.toString()));
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.write("hello");
    guardConnection(socket, "127.0.0.1", true);
    expect(await received).toBe("hello");
    socket.destroy();
  });
});
