import { request } from "node:http";
import { connect } from "node:net";
import compress from "@fastify/compress";
import { lazy } from "@trpc/server";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../../errors.js";
import { testEnv } from "../../testing/harness.js";
import type { Context, ContextSource } from "../../trpc/context.js";
import { baseProcedure, middleware, router } from "../../trpc/init.js";
import { publicProcedure } from "../../trpc/procedures.js";
import { registerCors } from "../cors.js";
import { registerFallbacks } from "../fallbacks.js";
import { registerRequestHooks } from "../hooks.js";
import { registerTrpcHttp } from "../trpc-http.js";
import { createFastTrpcHandler } from "./trpc-handler.js";

/**
 * What the app's router cannot provoke, side by side on the stock adapter and the fast path:
 * superjson's exotic values, output validation failures, thrown non-tRPC errors, middleware that
 * changes context and input or never calls next, a context that fails to build, stream-like results
 * in a plain JSON request, subscriptions over SSE, and the abort signal of a client that leaves.
 */
const abortSeen = new Map<string, boolean>();
const addExtra = middleware(({ next }) => next({ ctx: { extra: "from middleware" }, input: { overridden: true } }));
const neverNext = middleware(async () => undefined as never);
const syncRefusal = middleware(() => {
  throw new AppError("FORBIDDEN", "Refused before any await");
});

const testRouter = router({
  values: publicProcedure.query(() => ({
    date: new Date(0),
    map: new Map([["a", 1]]),
    set: new Set([1, 2]),
    big: 10n,
    undef: undefined,
    nan: Number.NaN,
    regex: /x/g,
  })),
  echo: publicProcedure
    .input(z.object({ when: z.date(), tags: z.set(z.string()), big: z.bigint(), note: z.string().optional() }))
    .mutation(({ input }) => input),
  badOutput: publicProcedure.output(z.object({ n: z.number() })).query(() => ({ n: "not a number" }) as never),
  // The output schema decides what leaves: unknown keys are stripped, values transformed.
  shapedOutput: publicProcedure
    .output(z.object({ n: z.number().transform((n) => n * 2) }))
    .query(() => ({ n: 21, secret: "not for the wire" }) as never),
  // A middleware that adds its own keys to a validated result: they pass through to the caller.
  outputUnderMiddleware: publicProcedure
    .use(async ({ next }) => {
      const result = await next();
      return result.ok ? { ...result, data: { wrapped: result.data } } : result;
    })
    .output(z.object({ n: z.number() }))
    .query(() => ({ n: 1, dropped: true }) as never),
  throws: publicProcedure.query(() => {
    throw new Error("secret internals");
  }),
  conflict: publicProcedure.mutation(() => {
    throw new AppError("CONFLICT", "Already there");
  }),
  conflictLater: publicProcedure.mutation(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new AppError("CONFLICT", "Already there, found later");
  }),
  withMiddleware: publicProcedure
    .use(addExtra)
    .query(({ ctx, input }) => ({ extra: (ctx as unknown as { extra: string }).extra, input })),
  noNext: publicProcedure.use(neverNext).query(() => "unreachable"),
  // Middlewares that throw instead of rejecting: the one before sees an error result, as in tRPC
  // (mapAppErrors turns this one into FORBIDDEN), and so does the caller when the first one throws.
  syncRefusal: publicProcedure.use(syncRefusal).query(() => "unreachable"),
  syncThrowFirst: baseProcedure.use(syncRefusal).query(() => "unreachable"),
  requestId: publicProcedure.query(({ ctx }) => ctx.requestId),
  promiseInside: publicProcedure.query(() => ({ later: Promise.resolve(1) })),
  // A promise among the prototype's enumerable keys is not the object's own: tRPC answers it as plain JSON.
  promiseInherited: publicProcedure.query(() =>
    Object.create({ later: Promise.resolve(1) }, { own: { value: 1, enumerable: true } }),
  ),
  iterable: publicProcedure.query(async function* () {
    yield 1;
  }),
  slow: publicProcedure.input(z.object({ id: z.string() })).query(async ({ input, signal }) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    abortSeen.set(input.id, signal?.aborted ?? false);
    return "done";
  }),
  // Reads its signal only after the client has gone: the fast path makes the signal when first read.
  lateReader: publicProcedure.input(z.object({ id: z.string() })).query(async (opts) => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    abortSeen.set(opts.input.id, opts.signal?.aborted ?? false);
    return "done";
  }),
  // A middleware and the resolver see one and the same signal, a real AbortSignal.
  sameSignal: publicProcedure
    .use(async ({ signal, next }) => next({ ctx: { seenByMiddleware: signal } }))
    .query(({ ctx, signal }) => {
      const seen = (ctx as unknown as { seenByMiddleware: unknown }).seenByMiddleware;
      return seen === signal && signal instanceof AbortSignal && !signal.aborted;
    }),
  abortSeen: publicProcedure.input(z.string()).query(({ input }) => abortSeen.get(input) ?? null),
  // Inputs as the runner's own validators take them: several schemas merged, one that zod parses only
  // asynchronously, one read from a raw input a middleware replaced, and asynchronous outputs and results.
  twoInputs: publicProcedure
    .input(z.object({ a: z.string() }))
    .input(z.object({ b: z.number() }))
    .query(({ input }) => input),
  asyncInput: publicProcedure
    .input(z.object({ n: z.number() }).refine(async ({ n }) => n > 0, "n must be positive"))
    .query(({ input }) => input.n),
  swappedRawInput: publicProcedure
    .use(({ next }) => next({ getRawInput: async () => ({ n: 5 }) }))
    .input(z.object({ n: z.number() }))
    .query(({ input }) => input.n),
  asyncOutput: publicProcedure
    .output(z.object({ n: z.number() }).transform(async ({ n }) => ({ n: n + 1 })))
    .query(() => ({ n: 1 })),
  asyncBadOutput: publicProcedure
    .output(z.object({ n: z.number() }).refine(async () => false, "never valid"))
    .query(() => ({ n: 1 })),
  // biome-ignore lint/suspicious/noThenProperty: a resolver's thenable result, which tRPC awaits like a promise.
  thenableResult: publicProcedure.query(() => ({ then: (resolve: (value: number) => void) => resolve(7) }) as never),
  ticks: publicProcedure.subscription(async function* () {
    yield 1;
    yield 2;
  }),
});

const env = testEnv({ MAX_BATCH_SIZE: "3" });
const createContext = (source: ContextSource): Context => {
  if ((source.headers as Record<string, unknown>)["x-fail-context"])
    throw new AppError("UNAUTHORIZED", "Context refused");
  const refuse = () => Promise.reject(new AppError("UNAUTHORIZED", "No auth in this test"));
  return {
    deps: { env },
    requestId: source.requestId ?? "none",
    authenticate: refuse,
    credentialsExpireAt: refuse,
  } as never;
};

async function buildApp(fastPath: "on" | "off"): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 5_000 } });
  registerRequestHooks(app, env);
  registerFallbacks(app);
  registerCors(app, { origins: ["https://app.example"], exposedHeaders: [] });
  await app.register(compress, { threshold: 1024 });
  await registerTrpcHttp(app, {
    env: { ...env, HTTP_FAST_PATH: fastPath },
    router: testRouter,
    createContext,
    onInternalError: () => {},
  });
  return { app, url: await app.listen({ host: "127.0.0.1", port: 0 }) };
}

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

function send(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => {
        const {
          date,
          "x-request-id": _id,
          "server-timing": _t,
          "content-length": _l,
          "transfer-encoding": _te,
          connection,
          "keep-alive": _k,
          ...rest
        } = res.headers;
        resolve({ status: res.statusCode ?? 0, headers: rest, body: text.replace(/[0-9a-f-]{36}/g, "<uuid>") });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

let stock: { app: FastifyInstance; url: string };
let fast: { app: FastifyInstance; url: string };
beforeAll(async () => {
  [stock, fast] = await Promise.all([buildApp("off"), buildApp("on")]);
});
afterAll(() => Promise.all([stock?.app.close(), fast?.app.close()]));

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const jsonBody = { "content-type": "application/json" };
const echoInput = {
  json: { when: "2020-01-02T03:04:05.000Z", tags: ["a", "b"], big: "12345678901234567890" },
  meta: { values: { when: ["Date"], tags: ["set"], big: ["bigint"], note: ["undefined"] } },
};

const corpus: [string, string, Record<string, string>?, string?][] = [
  ["GET", "/trpc/values"],
  ["POST", "/trpc/echo", jsonBody, JSON.stringify(echoInput)],
  ["POST", "/trpc/echo", jsonBody, JSON.stringify({ json: { when: "yesterday", tags: [], big: 1 } })],
  ["GET", "/trpc/badOutput"],
  ["GET", "/trpc/shapedOutput"],
  ["GET", "/trpc/outputUnderMiddleware"],
  ["GET", "/trpc/throws"],
  ["POST", "/trpc/conflict", jsonBody, ""],
  ["POST", "/trpc/conflictLater", jsonBody, ""],
  ["GET", "/trpc/withMiddleware"],
  ["GET", `/trpc/withMiddleware?input=${input({ json: { mine: 1 } })}`],
  ["GET", "/trpc/noNext"],
  ["GET", "/trpc/syncRefusal"],
  ["GET", "/trpc/syncThrowFirst"],
  ["GET", "/trpc/sameSignal"],
  ["GET", "/trpc/requestId", { "x-request-id": "given-id" }],
  ["GET", "/trpc/values", { "x-fail-context": "1" }],
  ["GET", "/trpc/values,throws?batch=1", { "x-fail-context": "1" }],
  ["GET", "/trpc/promiseInside"],
  ["GET", "/trpc/promiseInherited"],
  ["GET", "/trpc/iterable"],
  ["GET", "/trpc/values,promiseInside,iterable?batch=1"],
  ["GET", "/trpc/values,badOutput,throws?batch=1"],
  ["GET", "/trpc/values,values,values,values?batch=1"],
  ["GET", "/trpc/ticks", { accept: "text/event-stream" }],
  ["GET", `/trpc/twoInputs?input=${input({ json: { a: "x", b: 1, c: true } })}`],
  ["GET", `/trpc/twoInputs?input=${input({ json: { a: "x", b: "1" } })}`],
  ["GET", "/trpc/twoInputs?input=%7Bnot-json"],
  ["GET", `/trpc/asyncInput?input=${input({ json: { n: 3 } })}`],
  ["GET", `/trpc/asyncInput?input=${input({ json: { n: -3 } })}`],
  ["GET", `/trpc/swappedRawInput?input=${input({ json: { n: "ignored" } })}`],
  ["GET", "/trpc/asyncOutput"],
  ["GET", "/trpc/asyncBadOutput"],
  ["GET", "/trpc/thenableResult"],
  [
    "GET",
    `/trpc/twoInputs,asyncInput,asyncOutput?batch=1&input=${input({ 0: { json: { a: "y", b: 2 } }, 1: { json: { n: 0 } } })}`,
  ],
  ["POST", "/trpc/echo", { "content-type": "multipart/form-data; boundary=x" }, "--x--\r\n"],
  ["POST", "/trpc/echo", { "content-type": "application/octet-stream" }, "bytes"],
];

describe("fast path vs stock adapter on a router of edge cases", () => {
  it("answers identically", async () => {
    for (const [method, path, headers, body] of corpus) {
      const [a, b] = [
        await send(stock.url, method, path, headers, body),
        await send(fast.url, method, path, headers, body),
      ];
      expect(b, `${method} ${path}`).toEqual(a);
    }
    const signal = await send(fast.url, "GET", "/trpc/sameSignal");
    expect(JSON.parse(signal.body).result.data.json).toBe(true);
  });

  it.each([
    ["while it waits on it", "slow"],
    ["first read after the client has gone", "lateReader"],
  ])("aborts the procedure's signal when the client leaves, as the stock adapter does (%s)", async (_, procedure) => {
    for (const [name, server] of [
      ["stock", stock],
      ["fast", fast],
    ] as const) {
      const id = `${procedure}-${name}`;
      const { port } = new URL(server.url);
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(`GET /trpc/${procedure}?input=${input({ json: { id } })} HTTP/1.1\r\nHost: x\r\n\r\n`);
        setTimeout(() => socket.destroy(), 100);
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const seen = await send(server.url, "GET", `/trpc/abortSeen?input=${input({ json: id })}`);
      expect(JSON.parse(seen.body).result.data.json, name).toBe(true);
    }
  });

  it("takes queries, mutations and batches, and leaves the rest to the stock adapter", async () => {
    // A router with a lazily loaded part: its lookups need tRPC's own (async) loader, so all of it is declined.
    const withLazyPart = router({
      values: publicProcedure.query(() => 1),
      later: lazy(async () => router({ one: publicProcedure.query(() => 1) })),
    });
    const lazyHandler = createFastTrpcHandler({ router: withLazyPart, createContext: () => ({}) });
    const handler = createFastTrpcHandler({ router: testRouter, createContext: () => ({}), maxBatchSize: 3 });
    const probe = Fastify({ logger: false });
    probe.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => done(null, body));
    probe.all<{ Params: { path: string } }>("/trpc/:path", async (req, reply) => {
      if (!(await handler(req, reply, req.params.path))) reply.code(299).send("declined");
      return reply;
    });
    probe.all<{ Params: { path: string } }>("/lazy/:path", async (req, reply) => {
      if (!(await lazyHandler(req, reply, req.params.path))) reply.code(299).send("declined");
      return reply;
    });
    const url = await probe.listen({ host: "127.0.0.1", port: 0 });
    try {
      const taken: [string, string, Record<string, string>?, string?][] = [
        ["GET", "/trpc/values"],
        ["GET", "/trpc/nope"],
        ["GET", "/trpc/values,values?batch=1"],
        ["POST", "/trpc/echo", jsonBody, "{}"],
        ["POST", "/trpc/values", jsonBody, "{}"],
        ["GET", "/trpc/values", { "trpc-accept": "application/json" }],
      ];
      const declined: [string, string, Record<string, string>?, string?][] = [
        ["HEAD", "/trpc/values"],
        ["PUT", "/trpc/values", jsonBody, "{}"],
        ["GET", "/trpc/ticks"],
        ["GET", "/trpc/values,values?batch=1", { "trpc-accept": "application/jsonl" }],
        ["GET", "/trpc/values,values,values,values?batch=1"],
        ["GET", "/trpc/values,echo?batch=1"],
        ["GET", "/trpc/values?connectionParams=%7B%7D"],
        ["POST", "/trpc/echo", { "content-type": "text/plain" }, "x"],
        ["GET", "/trpc/values", { "content-type": "multipart/form-data" }],
        ["GET", "/lazy/values"],
        ["GET", "/lazy/later.one"],
      ];
      for (const [method, path, headers, body] of taken) {
        expect((await send(url, method, path, headers, body)).status, `${method} ${path}`).not.toBe(299);
      }
      for (const [method, path, headers, body] of declined) {
        expect((await send(url, method, path, headers, body)).status, `${method} ${path}`).toBe(299);
      }
    } finally {
      await probe.close();
    }
  });
});
