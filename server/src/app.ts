import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, LogController } from "fastify";
import type { Env } from "./env.js";
import { buildAsyncApiDocument, registerAsyncApi } from "./http/asyncapi.js";
import { answerClientError, receiveLimits } from "./http/client-errors.js";
import { coalesceWrites } from "./http/coalesced-writes.js";
import { registerCompression } from "./http/compression.js";
import { registerCors } from "./http/cors.js";
import { registerDocs } from "./http/docs.js";
import { registerFallbacks } from "./http/fallbacks.js";
import { registerRequestHooks } from "./http/hooks.js";
import { makeChildLoggersLazy } from "./http/lazy-request-logger.js";
import { buildOpenApiDocument } from "./http/openapi.js";
import { newRequestId } from "./http/request-ids.js";
import { registerRest } from "./http/rest.js";
import { registerTrpcHttp } from "./http/trpc-http.js";
import { registerTrpcWs } from "./http/trpc-ws.js";
import { registerJobHandlers } from "./jobs.js";
import { openCallers } from "./modules/auth/callers.js";
import { systemClock } from "./platform/clock.js";
import { openDatabase } from "./platform/db/index.js";
import { resolvePgliteDir } from "./platform/db/pglite.js";
import type { Deps } from "./platform/deps.js";
import { createDbJobQueue } from "./platform/jobs/db-job-queue.js";
import { createCapturedMailer } from "./platform/mail/captured-mailer.js";
import { openRealtime } from "./platform/realtime.js";
import { createAccessTokens } from "./platform/security/access-tokens.js";
import { argon2idHasher } from "./platform/security/password-hasher.js";
import { type AppRouter, appRouter } from "./router.js";
import { createContextFactory } from "./trpc/context.js";

export type { Deps };

export interface ServerOptions {
  env: Env;
  /** Replace any dependency (the `dependency_overrides` of this stack); the rest are built from `env`. */
  deps?: Partial<Deps>;
  /**
   * The procedures served over tRPC, REST, WebSocket and in the docs: the app router, or a superset of
   * it (`mergeRouters(appRouter, more)`) where a test or benchmark mounts procedures of its own.
   */
  router?: AppRouter;
}

export interface Server {
  app: FastifyInstance;
  deps: Deps;
  /** Listens on env.HOST:env.PORT (0 = any free port) and resolves to the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

const VERSION = "0.1.0";

/** Builds the whole server — HTTP, tRPC, REST, docs — without listening yet. */
export async function createServer({ env, deps: overrides = {}, router = appRouter }: ServerOptions): Promise<Server> {
  const closers: (() => Promise<void>)[] = [];
  const app = Fastify({
    logger: { level: env.LOG_LEVEL },
    bodyLimit: env.BODY_LIMIT_BYTES,
    // Fastify sets no limit by default: a client that never finished its body held the connection forever.
    requestTimeout: env.REQUEST_TIMEOUT_MS,
    http: receiveLimits(env.REQUEST_TIMEOUT_MS),
    clientErrorHandler: answerClientError,
    requestIdHeader: "x-request-id",
    genReqId: newRequestId,
    // Per-request access logs only in development; production logs what goes wrong, not every hit.
    logController: new LogController({ disableRequestLogging: env.NODE_ENV !== "development" }),
    // tRPC batches put every procedure path into one URL segment ("a,b,c"); 100 chars is too few.
    routerOptions: { maxParamLength: 5_000 },
  });
  makeChildLoggersLazy(app.log);
  coalesceWrites(app.server, { batch: env.HTTP_WRITE_BATCH });
  const deps = await buildDeps(env, overrides, closers, app.log).catch(async (error: unknown) => {
    // A start that fails halfway (say the bus refuses a subscription) must not keep what it opened: an
    // embedded database would stay locked to this process, and a second createServer could not open it.
    for (const close of closers.reverse()) await close().catch(() => {});
    throw error;
  });
  registerJobHandlers(deps);
  registerRequestHooks(app, env);
  registerFallbacks(app);
  registerCors(app, { origins: env.CORS_ORIGINS, exposedHeaders: ["x-request-id", "location"] });
  await registerCompression(app);

  const createContext = createContextFactory(deps);
  const logInternal = (error: unknown, request: FastifyRequest) => request.log.error({ err: error }, "internal error");

  await registerTrpcHttp(app, { env, router, createContext, onInternalError: logInternal });
  registerRest(app, {
    router,
    createContext,
    onInternalError: logInternal,
    exposeStacks: env.NODE_ENV === "development",
    fastPath: env.HTTP_FAST_PATH === "on",
  });
  await registerDocs(app, buildOpenApiDocument(router, { version: VERSION }));
  const ws = await registerTrpcWs(app, {
    env,
    clock: deps.clock,
    router,
    createContext,
    onInternalError: (error) => app.log.error({ err: error }, "internal error"),
  });
  registerAsyncApi(app, buildAsyncApiDocument(router, { version: VERSION }));

  return {
    app,
    deps,
    async start() {
      await app.listen({ host: env.HOST, port: env.PORT });
      deps.jobs.start();
      const address = app.server.address();
      const port = typeof address === "object" && address ? address.port : env.PORT;
      return `http://${env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST}:${port}`;
    },
    async stop() {
      // One grace period for all work in flight: requests and running jobs drain side by side, so a
      // SIGTERM is answered within SHUTDOWN_GRACE_MS (plus closing the pools), not twice that. A client
      // that stops reading must not hold shutdown forever; a job that does not finish in time keeps its
      // claim and runs again after its lease (on this instance's successor or another one).
      const force = setTimeout(() => app.server.closeAllConnections(), env.SHUTDOWN_GRACE_MS);
      // Live clients first learn to go elsewhere (or come back), then their sockets close.
      ws.broadcastReconnect();
      await Promise.all([app.close(), deps.jobs.stop({ waitMs: env.SHUTDOWN_GRACE_MS })]);
      clearTimeout(force);
      for (const close of closers.reverse()) await close();
    },
  };
}

/** Opens what the overrides do not provide; whatever we open, we close on stop. */
async function buildDeps(
  env: Env,
  overrides: Partial<Deps>,
  closers: (() => Promise<void>)[],
  logger: FastifyBaseLogger,
): Promise<Deps> {
  const log = (line: string) => logger.info(line);
  const clock = overrides.clock ?? systemClock;
  let { db, sql } = overrides;
  // Both read one database: a test that brings its own passes both (a Database's `prisma` and `sql`).
  if (!db !== !sql) throw new Error("createServer: deps.db and deps.sql come together (from one openDatabase)");
  if (!db || !sql) {
    const database = await openDatabase({
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      statementCacheSize: env.DATABASE_STATEMENT_CACHE_SIZE,
      planCacheMode: env.DATABASE_PLAN_CACHE_MODE,
      pipelinedConnections: env.DATABASE_PIPELINED_CONNECTIONS,
      dataDir: resolvePgliteDir(env.PGLITE_DIR),
      log,
    });
    closers.push(() => database.close());
    db = database.prisma;
    sql = database.sql;
  }
  // The bus, presence and rate limits: in process, or in Redis when REDIS_URL is set.
  const realtime = await openRealtime(env, { bus: overrides.bus, onError: (error) => log(`realtime: ${error}`) });
  closers.push(() => realtime.close());
  // nodemailer (~3 MiB of heap) is loaded only when mail goes to an SMTP server.
  const mailer =
    overrides.mailer ??
    (env.SMTP_URL
      ? (await import("./platform/mail/smtp-mailer.js")).createSmtpMailer({ url: env.SMTP_URL, from: env.MAIL_FROM })
      : createCapturedMailer(db));
  closers.push(() => mailer.close());
  // Stopped by Server.stop() before any closer runs, so running jobs still have the database.
  const jobs = overrides.jobs ?? createDbJobQueue({ db, clock, log: logger });
  const callers =
    overrides.callers ?? (await openCallers({ db, bus: realtime.bus, clock, ttlMs: env.AUTH_CACHE_TTL_MS }));
  closers.push(() => callers.close());
  return {
    callers,
    env,
    db,
    sql,
    mailer,
    jobs,
    bus: realtime.bus,
    presence: overrides.presence ?? realtime.presence,
    rateLimiter: overrides.rateLimiter ?? realtime.rateLimiter,
    clock,
    passwords: overrides.passwords ?? argon2idHasher,
    accessTokens:
      overrides.accessTokens ??
      createAccessTokens({
        secret: env.JWT_SECRET,
        issuer: env.JWT_ISSUER,
        ttlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
        clock,
      }),
  };
}
