import type { Env } from "../env.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Callers } from "../modules/auth/callers.js";
import type { Clock } from "./clock.js";
import type { SqlReader } from "./db/sql-reader.js";
import type { EventBus } from "./events/event-bus.js";
import type { JobQueue } from "./jobs/job-queue.js";
import type { Mailer } from "./mail/mailer.js";
import type { Presence } from "./presence/presence.js";
import type { RateLimiter } from "./rate-limit/rate-limiter.js";
import type { AccessTokens } from "./security/access-tokens.js";
import type { PasswordHasher } from "./security/password-hasher.js";

/**
 * Everything a procedure may use, handed to it through the tRPC context. A test swaps any of
 * them by passing its own to `createServer({ deps })` — no module mocking.
 */
export interface Deps {
  env: Env;
  db: PrismaClient;
  /** Hand-written reads on the same database as `db` (the list pages; see platform/db/sql-reader.ts). */
  sql: SqlReader;
  clock: Clock;
  passwords: PasswordHasher;
  accessTokens: AccessTokens;
  /** Who is behind a token's user id (remembered briefly; see modules/auth/callers.ts). */
  callers: Callers;
  bus: EventBus;
  mailer: Mailer;
  jobs: JobQueue;
  presence: Presence;
  rateLimiter: RateLimiter;
}
