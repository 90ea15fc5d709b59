import { createServer, type RequestListener, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { coalesceWrites } from "./coalesced-writes.js";

const servers: Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Batches `server`'s writes, listens on a free port and resolves to it; the server is closed after the test. */
async function listening(server: Server, batch: number): Promise<number> {
  coalesceWrites(server, { batch });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const serve = (handler: RequestListener, batch = 64) => listening(createServer(handler), batch);

/** Sends `text` on a fresh connection and resolves to everything the server sends until it closes. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      received += chunk;
    });
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
  });
}

const get = (path: string, close = false) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\n${close ? "Connection: close\r\n" : ""}\r\n`;

describe("coalesceWrites", () => {
  it("holds an answer until the turn that wrote it ends, then sends it", async () => {
    const heldBytes: number[] = [];
    const port = await serve(({ socket }, response) => {
      response.end("hello");
      heldBytes.push(socket.writableLength);
      setImmediate(() => heldBytes.push(socket.writableLength));
    });
    const answer = await exchange(port, get("/", true));
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello$/);
    // Still with the connection when end() returned; handed to the kernel by the turn's end.
    expect(heldBytes[0]).toBeGreaterThan("hello".length);
    expect(heldBytes[1]).toBe(0);
  });

  it("keeps one connection's answers whole and in order", async () => {
    let count = 0;
    const port = await serve((request, response) => {
      count += 1;
      // Answered out of step: the first request waits longest.
      setTimeout(() => response.end(`answer to ${request.url}`), count === 1 ? 20 : 0);
    });
    const answer = await exchange(port, get("/a") + get("/b") + get("/c", true));
    expect(answer.match(/answer to \/\w/g)).toEqual(["answer to /a", "answer to /b", "answer to /c"]);
  });

  it("sends a large answer whole, through the socket's backpressure", async () => {
    const chunk = "x".repeat(64 * 1024);
    const port = await serve(async (_request, response) => {
      response.writeHead(200, { "content-length": String(chunk.length * 200) });
      for (let i = 0; i < 200; i++) {
        if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
      }
      response.end();
    });
    const answer = await exchange(port, get("/", true));
    expect(answer.length - answer.indexOf("\r\n\r\n") - 4).toBe(chunk.length * 200);
  });

  it("sends what was written before a connection is destroyed", async () => {
    // As a clientError handler answers: write, then destroy at once.
    const port = await serve((request) => {
      request.socket.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad");
      request.socket.destroy();
    });
    expect(await exchange(port, get("/"))).toBe(
      "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad",
    );
  });

  it("keeps serving when a client leaves before its answer is sent", async () => {
    let answered: () => void;
    const answeredGone = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const port = await serve((request, response) => {
      if (request.url !== "/gone") return response.end("still here");
      // Written (and held) after the client has closed its end.
      setTimeout(() => {
        response.end("too late");
        setImmediate(answered);
      }, 20);
    });
    const client = connect(port, "127.0.0.1", () => client.end(get("/gone")));
    await answeredGone;
    expect(await exchange(port, get("/", true))).toMatch(/still here$/);
  });

  it("answers while a test fakes the timers", async () => {
    const port = await serve((_request, response) => response.end("on time"));
    vi.useFakeTimers();
    expect(await exchange(port, get("/", true))).toMatch(/on time$/);
  });

  it("sends a batch as soon as it is full, without waiting for the turn to end", async () => {
    const server = createServer();
    const port = await listening(server, 2);
    const sockets: Socket[] = [];
    const bothConnected = new Promise<void>((resolve) =>
      server.on("connection", (socket) => {
        if (sockets.push(socket) === 2) resolve();
      }),
    );
    const clients = [connect(port, "127.0.0.1"), connect(port, "127.0.0.1")];
    await bothConnected;
    const [first, second] = sockets as [Socket, Socket];
    first.write("one");
    const heldAfterOne = first.writableLength;
    second.write("two");
    expect(heldAfterOne).toBe(3);
    expect([first.writableLength, second.writableLength]).toEqual([0, 0]);
    for (const client of clients) client.destroy();
  });
});
