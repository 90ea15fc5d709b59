import type { RouterOutputs } from "@trellis/client";
import { TRPCClientError } from "@trpc/client";
import WebSocket from "ws";

/** A tracked event as clients receive it (`tracked(id, data)` on the server). */
export type Tracked<T> = { id: string; data: T };
/** A room message, as `rooms.send` returns it and `rooms.onMessage` delivers it. */
export type Message = RouterOutputs["rooms"]["send"];

/** How long `until` waits before failing with a description of what never happened. */
const PATIENCE_MS = 20_000;

/** The last few events, cut short: a failure message should point at the problem, not bury it. */
const lastOf = (events: unknown[]) => JSON.stringify(events.slice(-3)).slice(0, 600);

/**
 * Records what a subscription delivers — events, errors, starts — and lets a test wait for a
 * condition on them. Pass `handlers` to `.subscribe(input, handlers)`.
 */
export function recorder<T>() {
  const events: T[] = [];
  const errors: unknown[] = [];
  let starts = 0;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const check of [...waiters]) check();
  };

  return {
    events,
    errors,
    get starts() {
      return starts;
    },
    handlers: {
      onStarted() {
        starts++;
        notify();
      },
      onData(event: T) {
        events.push(event);
        notify();
      },
      onError(error: unknown) {
        errors.push(error);
        notify();
      },
    },
    /** Resolves once `condition` holds; fails after a long wait, saying what it waited for. */
    until(condition: () => boolean, what: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `never: ${what} (${events.length} events, the last: ${lastOf(events)}; errors: ${errors.map(String)})`,
            ),
          );
        }, PATIENCE_MS);
        const check = () => {
          if (!condition()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** The tRPC code a client saw in an error: what an application would branch on. */
export function trpcCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
}

/** Resolves when `check()` holds, polling; for state no event announces (e.g. a server's socket count). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A bare tRPC WebSocket, as a client without our package would open one: connectionParams with the
 * token, then subscription `id: 1`. `watch` runs before the socket opens, so its listeners miss no frame.
 */
export async function openRawSubscription(opts: {
  url: string;
  token: string;
  path: string;
  input: unknown;
  watch?: (socket: WebSocket) => void;
}): Promise<WebSocket> {
  const socket = new WebSocket(`${opts.url}?connectionParams=1`);
  opts.watch?.(socket);
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ method: "connectionParams", data: { token: opts.token } }));
  socket.send(
    JSON.stringify({ id: 1, method: "subscription", params: { path: opts.path, input: { json: opts.input } } }),
  );
  return socket;
}
