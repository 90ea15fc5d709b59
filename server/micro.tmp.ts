import { EventEmitter } from "node:events";
import { getWSConnectionHandler } from "@trpc/server/adapters/ws";
import { appRouter } from "./src/router.ts";
import { createContextFactory } from "./src/trpc/context.ts";
import { webSocketEncoder } from "./src/trpc/transformer.ts";
import { createHarness } from "./src/testing/harness.ts";

const N = Number(process.argv[2] ?? 1000);
const M = Number(process.argv[3] ?? 200);
const h = await createHarness();
const user = await h.signUp();
const createContext = createContextFactory(h.deps);
let frames = 0;
class FakeSocket extends EventEmitter { readyState = 1; OPEN = 1; send(_d: string) { frames++; } close() {} terminate() {} }
const handler = getWSConnectionHandler({ wss: null as never, router: appRouter, experimental_encoder: webSocketEncoder,
  createContext: ({ info }) => createContext({ headers: {}, connectionParams: info.connectionParams, connection: { subscriptions: 0, maxSubscriptions: 100 } }) });
const sockets: FakeSocket[] = [];
for (let i = 0; i < N; i++) {
  const s = new FakeSocket();
  handler(s as never, { url: "/trpc?connectionParams=1", headers: { host: "x" } } as never);
  s.emit("message", Buffer.from(JSON.stringify({ method: "connectionParams", data: { token: user.tokens.accessToken } })), false);
  s.emit("message", Buffer.from(JSON.stringify({ id: 1, method: "subscription", params: { path: "rooms.onMessage", input: { json: { room: "r" } } } })), false);
  sockets.push(s);
}
while (frames < N) await new Promise((r) => setTimeout(r, 10));
console.log("subscribed", frames);
const { roomTopic } = await import("./src/modules/rooms/service.ts");
frames = 0;
const t0 = process.cpuUsage(); const w0 = performance.now();
for (let i = 1; i <= M; i++) {
  const msg = Object.freeze({ id: i + 0, room: "r", text: `m${i}`, author: Object.freeze({ id: 1, name: "x" }), createdAt: new Date() });
  await h.deps.bus.publish(roomTopic("r"), msg);
  while (frames < i * N) await new Promise((r) => setImmediate(r));
}
const cpu = process.cpuUsage(t0); const wall = performance.now() - w0;
console.log(`${N} subs x ${M} msgs: ${((cpu.user + cpu.system) / (N * M)).toFixed(1)} µs CPU per delivery, wall ${(wall * 1000 / (N * M)).toFixed(1)} µs`);
process.exit(0);
