import { EventEmitter } from "node:events";
import { initTRPC, tracked } from "@trpc/server";
import { getWSConnectionHandler } from "@trpc/server/adapters/ws";
import { createInbox } from "./src/platform/events/inbox.ts";
import { transformer, webSocketEncoder } from "./src/trpc/transformer.ts";
const N = Number(process.argv[2] ?? 1000), M = Number(process.argv[3] ?? 200), mode = process.argv[4] ?? "gen";
const t = initTRPC.create({ transformer });
const bus = new EventEmitter(); bus.setMaxListeners(0);
const router = t.router({
  s: t.procedure.subscription(async function* ({ signal }) {
    const inbox = createInbox<object>(signal!);
    const l = (m: object) => inbox.push(m); bus.on("m", l);
    try { for await (const m of inbox.items()) yield mode === "tracked" ? tracked(String((m as {id:number}).id), m) : m; } finally { bus.off("m", l); }
  }),
});
let frames = 0;
class FakeSocket extends EventEmitter { readyState = 1; OPEN = 1; send(_d: string) { frames++; } close() {} terminate() {} }
const handler = getWSConnectionHandler({ wss: null as never, router, experimental_encoder: webSocketEncoder, createContext: () => ({}) });
for (let i = 0; i < N; i++) {
  const s = new FakeSocket();
  handler(s as never, { url: "/trpc", headers: { host: "x" } } as never);
  s.emit("message", Buffer.from(JSON.stringify({ id: 1, method: "subscription", params: { path: "s", input: { json: null } } })), false);
}
while (frames < N) await new Promise((r) => setTimeout(r, 10));
frames = 0;
const t0 = process.cpuUsage();
for (let i = 1; i <= M; i++) {
  bus.emit("m", Object.freeze({ id: i, text: `m${i}`, createdAt: new Date() }));
  while (frames < i * N) await new Promise((r) => setImmediate(r));
}
const cpu = process.cpuUsage(t0);
console.log(`${mode}: ${((cpu.user + cpu.system) / (N * M)).toFixed(1)} µs CPU per delivery`);
process.exit(0);
