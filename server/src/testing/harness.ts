import { randomUUID } from "node:crypto";
import { type Env, loadEnv } from "../env.js";
import { registerJobHandlers } from "../jobs.js";
import { openCallers } from "../modules/auth/callers.js";
import type { Clock } from "../platform/clock.js";
import { systemClock } from "../platform/clock.js";
import type { Database } from "../platform/db/index.js";
import type { Deps } from "../platform/deps.js";
import { createInProcessBus } from "../platform/events/in-process-bus.js";
import { createDbJobQueue } from "../platform/jobs/db-job-queue.js";
import { createCapturedMailer } from "../platform/mail/captured-mailer.js";
import { openRealtime } from "../platform/realtime.js";
import { createAccessTokens } from "../platform/security/access-tokens.js";
import { argon2idHasher } from "../platform/security/password-hasher.js";
import { appRouter } from "../router.js";
import { createContextFactory } from "../trpc/context.js";
import { createCallerFactory, mergeRouters, router } from "../trpc/init.js";
import { publicProcedure } from "../trpc/procedures.js";
import { createPostgresDatabase, openIsolatedDatabase } from "./isolated-database.js";

// appRouter, mergeRouters, router and publicProcedure: what a test needs to mount procedures of its
// own next to the app's (`createServer({ router })`); createInProcessBus, to wrap the bus it gives.
export {
  appRouter,
  createAccessTokens,
  createInProcessBus,
  createPostgresDatabase,
  mergeRouters,
  openIsolatedDatabase,
  publicProcedure,
  router,
};

/** Settings for tests: development-safe, quiet. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    JWT_SECRET: "test-secret-that-is-long-enough-0123456789",
    ...overrides,
  });
}

/** A clock tests move by hand, to expire tokens without waiting. */
export function manualClock(start = new Date()): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

const createCaller = createCallerFactory(appRouter);

/**
 * A fresh migrated database and the real dependencies, with callers that go through the same
 * context, middleware and validation as HTTP requests do.
 */
export async function createHarness(overrides: Partial<Deps> = {}, database?: Database) {
  const db = database ?? (await openIsolatedDatabase());
  const env = overrides.env ?? testEnv();
  const clock = overrides.clock ?? manualClock();
  const realtime = await openRealtime(env, { bus: overrides.bus });
  const callers =
    overrides.callers ?? (await openCallers({ db: db.prisma, bus: realtime.bus, clock, ttlMs: env.AUTH_CACHE_TTL_MS }));
  const deps: Deps = {
    callers,
    env,
    db: db.prisma,
    sql: db.sql,
    clock,
    bus: realtime.bus,
    presence: realtime.presence,
    rateLimiter: realtime.rateLimiter,
    mailer: createCapturedMailer(db.prisma),
    // Real queue, real handlers, polling fast: background work finishes while a test waits for it.
    jobs: createDbJobQueue({ db: db.prisma, clock: systemClock, log: { error: () => {} }, pollMs: 25 }),
    passwords: argon2idHasher,
    accessTokens: createAccessTokens({
      secret: env.JWT_SECRET,
      issuer: env.JWT_ISSUER,
      ttlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      clock,
    }),
    ...overrides,
  };
  registerJobHandlers(deps);
  deps.jobs.start();
  const createContext = createContextFactory(deps);
  // A fresh context per call, as each HTTP request gets: nothing memoised leaks between calls.
  // `signal` ends the caller's subscriptions, as a closed connection does.
  const caller = (token?: string, opts: { signal?: AbortSignal } = {}) =>
    createCaller(() => createContext({ headers: token ? { authorization: `Bearer ${token}` } : {} }), opts);

  /** Registers and logs in a new user with a unique email; `admin` promotes it in the database. */
  async function signUp(opts: { admin?: boolean; password?: string; name?: string } = {}) {
    const password = opts.password ?? "correct horse battery";
    const email = `user-${randomUUID()}@example.com`;
    const user = await caller().auth.register({ email, name: opts.name ?? "Test User", password });
    if (opts.admin) await deps.db.user.update({ where: { id: user.id }, data: { role: "admin" } });
    const tokens = await caller().auth.login({ email, password });
    return { user, email, password, tokens, api: caller(tokens.accessToken) };
  }

  async function close() {
    await deps.jobs.stop();
    await callers.close();
    await realtime.close();
    await db.close();
  }

  return { deps, caller, signUp, close };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
