import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAnswer, rawExchange } from "./support/raw-http.js";
import { startServer, type TestServer } from "./support/server.js";

let api: TestServer;
let host: string;
beforeAll(async () => {
  api = await startServer({ REQUEST_TIMEOUT_MS: "1000" });
  host = new URL(api.url).host;
});
afterAll(() => api?.stop());

/** What Node refuses before any route sees a request: each in the one error body, the connection closed. */
describe("refusals below the routes", () => {
  it("a request whose body never arrives in full gets 408, while other clients are served", async () => {
    const stalled = rawExchange(
      api.url,
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
        'Content-Length: 100\r\n\r\n{"email":',
    );
    expect((await api.rest("GET", "/health")).status).toBe(200);
    const { statusLine, body } = parseAnswer(await stalled);
    expect(statusLine).toBe("HTTP/1.1 408 Request Timeout");
    expect(body).toMatchObject({ code: "TIMEOUT", message: expect.any(String), requestId: expect.any(String) });
  });

  it("bytes that are not HTTP get 400", async () => {
    const { statusLine, body } = parseAnswer(await rawExchange(api.url, "HELLO THERE\r\n\r\n"));
    expect(statusLine).toBe("HTTP/1.1 400 Bad Request");
    expect(body).toMatchObject({ code: "BAD_REQUEST", requestId: expect.any(String) });
  });

  it("headers over Node's size limit get 431", async () => {
    const request = `GET /api/health HTTP/1.1\r\nHost: ${host}\r\nX-Padding: ${"x".repeat(20_000)}\r\n\r\n`;
    const { statusLine, body } = parseAnswer(await rawExchange(api.url, request));
    expect(statusLine).toBe("HTTP/1.1 431 Request Header Fields Too Large");
    expect(body).toMatchObject({ code: "BAD_REQUEST", requestId: expect.any(String) });
  });

  it("the server is still healthy afterwards", async () => {
    expect((await api.rest("GET", "/ready")).status).toBe(200);
  });
});
