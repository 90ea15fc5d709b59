import { EventEmitter } from "node:events";
import { type IncomingMessage, type Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import websocket from "@fastify/websocket";
import { getWSConnectionHandler } from "@trpc/server/adapters/ws";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { Env } from "../env.js";
import type { Clock } from "../platform/clock.js";
import type { AppRouter } from "../router.js";
import type { Context, ContextSource } from "../trpc/context.js";
import { socketHandOff } from "../trpc/hand-off.js";
import { trackedEventTail, webSocketEncoder } from "../trpc/transformer.js";

export interface TrpcWsOptions {
  env: Env;
  clock: Clock;
  router: AppRouter;
  createContext: (source: ContextSource) => Context;
  onInternalError: (error: unknown) => void;
}

export interface TrpcWs {
  /** Asks every connected client to reconnect (they move to another instance, or back once we restart). */
  broadcastReconnect(): void;
}

/** Where clients open their WebSocket. */
const SOCKET_PATH = "/trpc";
const RECONNECT = JSON.stringify({ id: null, method: "reconnect" });
/** Close code when a connection's token expired (or never was valid) and it did not reconnect. */
export const CLOSE_TOKEN_EXPIRED = 4401;

/**
 * tRPC over WebSocket on the HTTP port, at `/trpc`. Subscriptions are its purpose; queries and
 * mutations work too. Authentication is the access token in `connectionParams` (`{ token }`),
 * checked at every subscription's start. No cookies are involved, so a page on another origin
 * cannot borrow a user's session through this socket.
 *
 * Limits: a message larger than WS_MAX_MESSAGE_BYTES closes the connection (1009), more than
 * WS_MAX_SUBSCRIPTIONS subscriptions are refused (TOO_MANY_REQUESTS), and a client that does not
 * answer a ping within 10 s is dropped — ending its subscriptions and its presence in rooms.
 */
export async function registerTrpcWs(app: FastifyInstance, opts: TrpcWsOptions): Promise<TrpcWs> {
  // The plugin listens for handshakes on this emitter (its `server` option) instead of on the HTTP server,
  // which gives it only those for the socket route (routeUpgrades).
  const handshakes = new EventEmitter();
  let wss: FastifyInstance["websocketServer"] | undefined;
  // In a scope of its own: the plugin adds an onRequest and an onResponse hook to every route of the
  // instance it is registered on (fastify-plugin), which every HTTP request then ran for nothing.
  await app.register(async (scope) => {
    await registerSocketRoute(scope, opts, handshakes);
    wss = scope.websocketServer;
  });
  if (!wss) throw new Error("the websocket plugin did not load");
  const sockets = wss;
  app.decorate("websocketServer", sockets);
  routeUpgrades(app, SOCKET_PATH, handshakes);
  return {
    broadcastReconnect() {
      for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(RECONNECT);
    },
  };
}

/**
 * Upgrade requests for `path` go on to `handshakes`, where the plugin upgrades them. Any other is answered
 * as the same request without `Upgrade` would be (RFC 9110 §7.8 lets a server ignore the header), by the
 * routes, and its connection then closed: Node has handed the socket over, and the plugin, scoped to its
 * route, no longer sees these requests (it used to upgrade them and close the socket, or close it after
 * a 404).
 */
function routeUpgrades(app: FastifyInstance, path: string, handshakes: EventEmitter) {
  const server = app.server;
  const onUpgrade = (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (request.url?.split("?", 1)[0] === path) {
      handshakes.emit("upgrade", request, socket, head);
      return;
    }
    socket.on("error", () => socket.destroy());
    const response = new ServerResponse(request);
    response.shouldKeepAlive = false;
    response.assignSocket(socket);
    response.once("finish", () => socket.end());
    app.routing(request, response);
  };
  server.on("upgrade", onUpgrade);
  app.addHook("preClose", (done) => {
    server.removeListener("upgrade", onUpgrade);
    done();
  });
}

async function registerSocketRoute(app: FastifyInstance, opts: TrpcWsOptions, handshakes: EventEmitter) {
  const { env } = opts;
  await app.register(websocket, {
    // The plugin only listens for `upgrade` events on `server`; ws itself never sees it (noServer).
    options: { maxPayload: env.WS_MAX_MESSAGE_BYTES, server: handshakes as unknown as Server },
    // `ws` has already answered the error (an oversize message closes with 1009); terminating here
    // could drop that close frame before it is sent.
    errorHandler: (error, _socket, request) => request.log.warn({ err: error }, "websocket error"),
    preClose: (done) => {
      for (const client of app.websocketServer.clients) client.close(1001, "Server shutting down");
      app.websocketServer.close();
      done();
    },
  });

  const requestIds = new WeakMap<IncomingMessage, string>();
  /** Each socket's own `send`, which direct writes use (the patched one drops hand-off tokens). */
  const rawSends = new WeakMap<WebSocket, (frame: string) => void>();
  const onConnection = getWSConnectionHandler<AppRouter>({
    wss: app.websocketServer,
    router: opts.router,
    keepAlive: { enabled: true, pingMs: env.WS_PING_INTERVAL_MS, pongWaitMs: 10_000 },
    // JSON, reusing the text of an event serialised once for all its subscribers.
    experimental_encoder: webSocketEncoder,
    createContext: ({ req, res: socket, info }) => {
      const send = rawSends.get(socket) ?? ((frame: string) => socket.send(frame));
      const raw = (socket as unknown as { _socket?: Socket })._socket;
      const write = (frame: string) => {
        if (socket.readyState !== socket.OPEN) return;
        // A client that stops reading would have the server hold every later message for it. Past
        // the limit its connection is dropped; the typed client reconnects and resumes after its
        // last event, so a merely slow client loses nothing.
        if (!raw) return send(frame);
        // Checked when a flush window opens: then the socket holds only what the kernel has not taken
        // (the client has not read). Inside a window it also holds the frames coalesced on purpose,
        // which say nothing about the client: counting them dropped healthy readers of a busy room.
        if (!corked.has(raw)) {
          if (raw.writableLength > env.WS_MAX_BUFFERED_BYTES) return socket.terminate();
          corkForFlush(raw, env.WS_FLUSH_INTERVAL_MS);
        }
        // Without extensions (no permessage-deflate) a frame is plain bytes that ws would write
        // unchanged: write the encoded frame shared by every subscriber of the event instead.
        if (socket.extensions === "") raw.write(encodedTextFrame(frame));
        else send(frame);
      };
      const ctx = opts.createContext({
        headers: req.headers,
        requestId: requestIds.get(req),
        connectionParams: info.connectionParams,
        connection: {
          subscriptions: 0,
          maxSubscriptions: env.WS_MAX_SUBSCRIPTIONS,
          handOff: (idOf) => socketHandOff(write, idOf, trackedEventTail),
        },
      });
      endWithCredentials(socket, ctx, opts.clock, env.WS_RECONNECT_GRACE_MS);
      return ctx;
    },
    onError: ({ error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") opts.onInternalError(error);
    },
  });

  app.get(SOCKET_PATH, { websocket: true }, (socket, request) => {
    requestIds.set(request.raw, request.id);
    // The encoder turns a hand-off token into an empty frame: it is not for the client.
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    rawSends.set(socket, send);
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      if (data !== "") send(data, ...rest);
    }) as WebSocket["send"];
    onConnection(socket, request.raw);
  });
}

/**
 * One token authenticates the whole connection, so the connection must not outlive it. When the
 * token expires we ask the client to reconnect: the typed client opens a new connection with a
 * fresh token from its token source and moves every subscription over, each resuming after its
 * last event, before closing this one. A client still here after `graceMs` — one that ignores the
 * request, or cannot get a valid token — is disconnected. A connection whose token was never valid
 * can do nothing, and is closed after `graceMs` without the invitation to come back.
 */
function endWithCredentials(socket: WebSocket, ctx: Context, clock: Clock, graceMs: number) {
  const timers: NodeJS.Timeout[] = [];
  const close = () => {
    timers.push(setTimeout(() => socket.close(CLOSE_TOKEN_EXPIRED, "Access token expired"), graceMs));
  };
  socket.once("close", () => {
    for (const timer of timers) clearTimeout(timer);
  });
  ctx.credentialsExpireAt().then(
    (expiresAt) => {
      if (socket.readyState !== socket.OPEN) return;
      const delay = Math.max(0, expiresAt.getTime() - clock.now().getTime());
      timers.push(
        setTimeout(() => {
          if (socket.readyState === socket.OPEN) socket.send(RECONNECT);
          close();
        }, delay),
      );
    },
    () => {
      if (socket.readyState === socket.OPEN) close();
    },
  );
}

const corked = new Set<Socket>();
let lastFlushAt = Number.NEGATIVE_INFINITY;

/**
 * Frames written to one socket before the next flush leave in one system call (at 100 messages a
 * second into 1,000 sockets, the system calls were most of the server's CPU). A room's feed delivers
 * what arrived during a turn of the event loop together (modules/rooms/feed.ts). Flushes are at least
 * `intervalMs` (WS_FLUSH_INTERVAL_MS) apart, Nagle-style but adaptive: after a quiet spell a frame
 * leaves at the next turn of the event loop, with no added latency; while messages keep coming, those
 * of the next `intervalMs` wait and leave together — fewer, larger writes for the server and its
 * clients, at the cost of at most that much latency. 0 flushes on every turn.
 */
function corkForFlush(raw: Socket, intervalMs: number) {
  raw.cork();
  corked.add(raw);
  if (corked.size > 1) return;
  const flush = () => {
    lastFlushAt = performance.now();
    for (const each of corked) each.uncork();
    corked.clear();
  };
  const wait = lastFlushAt + intervalMs - performance.now();
  if (wait > 0) setTimeout(flush, wait);
  else setImmediate(flush);
}

let lastText: string | undefined;
let lastFrame: Buffer | undefined;

/**
 * A WebSocket text frame as a server sends it (FIN, opcode 1, unmasked; RFC 6455 §5.2), made once
 * for consecutive writes of the same text: a room's fan-out writes one event's frame to every
 * subscriber in a row (they share the frame text when their subscription ids match), and encoding
 * it per socket — what `ws.send` does — cost more than the write. Hand-written because ws has no
 * public way to send a pre-encoded frame.
 */
function encodedTextFrame(text: string): Buffer {
  if (text === lastText && lastFrame) return lastFrame;
  const payload = Buffer.from(text, "utf8");
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  lastText = text;
  lastFrame = frame;
  return frame;
}
