import type { FastifyInstance } from "fastify";
import type { Env } from "../env.js";
import { sendError } from "./error-body.js";

/**
 * Request id echo, a `server-timing` header, and the trusted-host check. The timing is Fastify's own
 * per-request stamp, which it takes only when the instance has a logger (createServer always gives it
 * one); on an instance built with `logger: false`, as some tests do, `server-timing` reads `app;dur=0.00`.
 */
export function registerRequestHooks(app: FastifyInstance, env: Env) {
  const trustedHosts = new Set(env.TRUSTED_HOSTS.map((host) => host.toLowerCase()));

  // Callback-style hooks: on every request, an async hook's promise costs more than its body. And no hook
  // where there is nothing to do: with the default TRUSTED_HOSTS=* a request makes one hook call fewer.
  if (!trustedHosts.has("*")) {
    app.addHook("onRequest", (request, reply, done) => {
      // Host-header checks stop DNS-rebinding and cache-poisoning through forged hosts.
      if (!trustedHosts.has(request.hostname.toLowerCase())) {
        sendError(request, reply, "BAD_REQUEST", `Host "${request.hostname}" is not allowed`);
        return;
      }
      done();
    });
  }

  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    // Milliseconds since the request arrived (see above).
    reply.header("server-timing", `app;dur=${twoDecimals(reply.elapsedTime)}`);
    done(null, payload);
  });
}

/**
 * `ms.toFixed(2)` for a duration, by integer arithmetic: `toFixed` is a call into V8's C++ runtime,
 * ~950 instructions of every request's ~93,000 (callgrind, W1), where these few operations on small
 * integers stay in optimized code. Anything that is not a finite non-negative number reads 0.00.
 */
export function twoDecimals(ms: number): string {
  if (!(ms >= 0 && ms < Number.MAX_SAFE_INTEGER / 100)) return "0.00";
  const hundredths = Math.round(ms * 100);
  const whole = Math.floor(hundredths / 100);
  const rest = hundredths - whole * 100;
  return `${whole}.${rest < 10 ? "0" : ""}${rest}`;
}
