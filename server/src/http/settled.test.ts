import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { settled } from "./settled.js";

/** A route that sends its answer itself and returns `settled(reply)`, as the tRPC and REST routes do. */
async function appWith(onSendDelayMs: number | undefined) {
  const app = Fastify();
  if (onSendDelayMs !== undefined) {
    app.addHook("onSend", (_request, _reply, payload, done) => {
      setTimeout(() => done(null, payload), onSendDelayMs);
    });
  }
  app.get("/", async (_request, reply) => {
    await Promise.resolve();
    reply.code(201).header("content-type", "text/plain").send("sent by the route");
    return settled(reply);
  });
  await app.ready();
  return app;
}

describe("settled", () => {
  it("answers once, whether the reply ended at once or an onSend hook finishes it later", async () => {
    for (const delay of [undefined, 20]) {
      const app = await appWith(delay);
      const errors: unknown[] = [];
      app.log.warn = (...args: unknown[]) => void errors.push(args);
      const response = await app.inject("/");
      expect(response.statusCode).toBe(201);
      expect(response.body).toBe("sent by the route");
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors).toEqual([]);
      await app.close();
    }
  });
});
