// Peer: the stock tRPC v11 Fastify adapter with superjson, configured as the tRPC docs show.
// It is what "just use tRPC" costs, so our own server's tRPC path can be compared with it.
import { initTRPC } from "@trpc/server";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify from "fastify";
import superjson from "superjson";
import { EchoInput } from "./echo-input.mjs";

const port = Number(process.env.PORT ?? 4102);

const t = initTRPC.create({ transformer: superjson });

const appRouter = t.router({
  hello: t.procedure.query(() => ({ hello: "world" })),
  echo: t.procedure.input(EchoInput).mutation(({ input }) => input),
});

// maxParamLength as in the tRPC docs: a batch puts every procedure name into one path segment.
const app = Fastify({ logger: false, routerOptions: { maxParamLength: 5000 } });
await app.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions: { router: appRouter } });
await app.listen({ host: "127.0.0.1", port });
