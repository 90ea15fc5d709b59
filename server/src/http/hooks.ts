import type { FastifyInstance } from "fastify";
import type { Env } from "../env.js";
import { sendError } from "./error-body.js";

const startedAt = Symbol("startedAt");
declare module "fastify" {
  interface FastifyRequest {
    [startedAt]?: bigint;
  }
}

/** Request id echo, a `server-timing` header, and the trusted-host check. */
export function registerRequestHooks(app: FastifyInstance, env: Env) {
  const trustedHosts = new Set(env.TRUSTED_HOSTS.map((host) => host.toLowerCase()));
  const anyHost = trustedHosts.has("*");

  // Callback-style hooks: on every request, an async hook's promise costs more than its body.
  app.addHook("onRequest", (request, reply, done) => {
    request[startedAt] = process.hrtime.bigint();
    // Host-header checks stop DNS-rebinding and cache-poisoning through forged hosts.
    if (!anyHost && !trustedHosts.has(request.hostname.toLowerCase())) {
      sendError(request, reply, "BAD_REQUEST", `Host "${request.hostname}" is not allowed`);
      return;
    }
    done();
  });

  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    const start = request[startedAt];
    if (start !== undefined) {
      const millis = Number(process.hrtime.bigint() - start) / 1e6;
      reply.header("server-timing", `app;dur=${millis.toFixed(2)}`);
    }
    done(null, payload);
  });
}
