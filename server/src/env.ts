import { z } from "zod";
import { DEFAULT_PIPELINED_CONNECTIONS } from "./platform/db/pipelined-pool.js";
import { PLAN_CACHE_MODES } from "./platform/db/plan-cache-mode.js";
import { defaultPoolSize } from "./platform/db/pool-size.js";
import { DEFAULT_STATEMENT_CACHE_SIZE } from "./platform/db/statement-names.js";

/** The development default secret. `.env` ships it; production refuses to start with it. */
export const DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef";

const csv = z.string().transform((value) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean),
);

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL");

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    HOST: z.string().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Unset: embedded PGlite in PGLITE_DIR. Set: a PostgreSQL server. */
    DATABASE_URL: postgresUrl.optional(),
    /**
     * Most pooled connections this instance opens to the PostgreSQL server (see defaultPoolSize): transactions
     * take them, and every query when DATABASE_PIPELINED_CONNECTIONS is 0. On a 2-core machine 5 gave the same
     * W2 throughput as 10 with a p99 of 84–121 ms against 117–216 (BENCHMARKS.md).
     */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(defaultPoolSize),
    /** Distinct SQL statements prepared once per connection and reused (platform/db/statement-names.ts); 0: none (PgBouncer in transaction mode). */
    DATABASE_STATEMENT_CACHE_SIZE: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_STATEMENT_CACHE_SIZE),
    /** How PostgreSQL plans the prepared statements (platform/db/plan-cache-mode.ts); `auto` leaves it to the server. */
    DATABASE_PLAN_CACHE_MODE: z.enum(PLAN_CACHE_MODES).default("force_generic_plan"),
    /** Pipelined connections for every query outside a transaction, besides the pool (platform/db/pipelined-pool.ts); 0: none. */
    DATABASE_PIPELINED_CONNECTIONS: z.coerce.number().int().min(0).max(100).default(DEFAULT_PIPELINED_CONNECTIONS),
    PGLITE_DIR: z.string().min(1).default(".data/pglite"),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
    JWT_SECRET: z.string().min(32, "must be at least 32 characters"),
    JWT_ISSUER: z.string().min(1).default("trellis"),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    /** How long a caller's account is remembered between requests (0: read on every request). See modules/auth/callers.ts. */
    AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    CORS_ORIGINS: csv.default(["http://localhost:3000", "http://127.0.0.1:3000"]),
    /** Host header values accepted; `*` accepts any (the default outside production). */
    TRUSTED_HOSTS: csv.default(["*"]),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(1024 * 1024),
    /** Longest a client may take to send a whole request, headers and body (longer: 408, connection closed); 0: no limit. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    /**
     * How far past the live heap V8 lets garbage accumulate before a full collection, in percent
     * (see platform/heap-growth.ts); 0 leaves V8's own factor (up to 300%).
     */
    HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(1000).default(30),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
    /** `off`: tRPC's and trpc-to-openapi's stock adapters serve every request (http/fast/ is bypassed). */
    HTTP_FAST_PATH: z.enum(["on", "off"]).default("on"),
    /** Answers sent together: up to this many, within one turn of the event loop (http/coalesced-writes.ts); 1: each at once. */
    HTTP_WRITE_BATCH: z.coerce.number().int().min(1).max(64).default(4),
    /** Channels and keys on a shared Redis: instances that should act as one use the same prefix. */
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default("trellis:"),
    /** Largest WebSocket message a client may send; a larger one closes its connection (1009). */
    WS_MAX_MESSAGE_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
    /** Bytes of live messages the server holds for a client that does not read them; past it, it drops the connection. */
    WS_MAX_BUFFERED_BYTES: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .max(1024 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(100),
    /** Quiet time before the server pings a WebSocket client; no answer within 10 s closes it. */
    WS_PING_INTERVAL_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    /** Least time between two writes of live frames to the sockets (see corkForFlush in http/trpc-ws.ts). */
    WS_FLUSH_INTERVAL_MS: z.coerce.number().int().min(0).max(1000).default(40),
    /** When a connection's access token expires, how long it may take to reconnect before it is closed. */
    WS_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    /** A user may send ROOM_SEND_LIMIT messages per ROOM_SEND_WINDOW_SECONDS (across all instances). */
    ROOM_SEND_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(30),
    ROOM_SEND_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    /** A member whose instance stops refreshing its presence (a crash) disappears after this long. */
    PRESENCE_TTL_SECONDS: z.coerce.number().int().min(2).max(3600).default(30),
    /** Sign-in attempts allowed per account per LOGIN_WINDOW_SECONDS: online password guessing stalls. */
    LOGIN_ATTEMPT_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
    LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    /** Unset: mail is captured in the database (table CapturedMail). Set: sent through this SMTP server. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
      .optional(),
    MAIL_FROM: z.string().min(3).default("Trellis <no-reply@trellis.local>"),
    SEED_ADMIN_EMAIL: z.email().default("admin@example.com"),
    SEED_ADMIN_PASSWORD: z.string().min(8).default("admin-password-change-me"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (env.JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["JWT_SECRET"],
        message: "is the development default; set a secret of your own in production",
      });
    }
    if (env.SEED_ADMIN_PASSWORD === "admin-password-change-me") {
      ctx.addIssue({
        code: "custom",
        path: ["SEED_ADMIN_PASSWORD"],
        message: "is the development default; set a password of your own in production",
      });
    }
  });

export type Env = Readonly<z.output<typeof EnvSchema>>;

/** Thrown at start-up with every bad variable named, one per line. */
export class InvalidEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "InvalidEnvError";
  }
}

/**
 * Validates and freezes the settings. The only place that reads `process.env`;
 * tests pass their own record instead.
 */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const relevant = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new InvalidEnvError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "(env)"} ${issue.message}`),
    );
  }
  return Object.freeze({
    ...parsed.data,
    CORS_ORIGINS: Object.freeze(parsed.data.CORS_ORIGINS),
    TRUSTED_HOSTS: Object.freeze(parsed.data.TRUSTED_HOSTS),
  }) as Env;
}
