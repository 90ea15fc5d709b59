import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startServer, type TestServer } from "./support/server.js";

/** A real SMTP server on a free port, keeping every message it accepts. */
const received: { from: string; to: string[]; data: string }[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, session, callback) {
    let data = "";
    stream.on("data", (chunk: Buffer) => {
      data += chunk.toString();
    });
    stream.on("end", () => {
      received.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        data,
      });
      callback();
    });
  },
});

let api: TestServer;
beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const { port } = smtp.server.address() as AddressInfo;
  api = await startServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: "Trellis <hello@trellis.test>" });
});
afterAll(async () => {
  await api?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe("the welcome email over real SMTP", () => {
  it("reaches the SMTP server after sign-up", async () => {
    const response = await api.rest("POST", "/v1/auth/register", {
      body: { email: "smtp-user@example.com", name: "Sam", password: "long enough pw" },
    });
    expect(response.status).toBe(201);
    await vi.waitFor(() => expect(received.find((mail) => mail.to.includes("smtp-user@example.com"))).toBeDefined(), {
      timeout: 10_000,
    });
    const mail = received.find((m) => m.to.includes("smtp-user@example.com"));
    expect(mail?.from).toBe("hello@trellis.test");
    expect(mail?.data).toContain("Subject: Welcome to Trellis");
    expect(mail?.data).toContain("Hello Sam");
  });
});

describe("with the mail server down", () => {
  it("sign-up still succeeds and the email is kept for retry", async () => {
    // Port 9 (discard) on loopback: nothing listens, every send fails at once.
    const down = await startServer({ SMTP_URL: "smtp://127.0.0.1:9" });
    try {
      const response = await down.rest("POST", "/v1/auth/register", {
        body: { email: "later@example.com", name: "Lee", password: "long enough pw" },
      });
      expect(response.status).toBe(201);
      await vi.waitFor(
        async () => {
          const job = await down.server.deps.db.job.findFirstOrThrow({ where: { kind: "auth.welcome-email" } });
          expect(job).toMatchObject({
            status: "queued",
            attempts: 1,
            lastError: expect.stringMatching(/ECONNREFUSED/),
          });
        },
        { timeout: 10_000 },
      );
    } finally {
      await down.stop();
    }
  });
});
