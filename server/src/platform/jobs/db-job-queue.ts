import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../generated/prisma/client.js";
import type { Clock } from "../clock.js";
import { withTimeout } from "../with-timeout.js";
import type { JobHandler, JobQueue, JobRun } from "./job-queue.js";

export interface DbJobQueueOptions {
  db: PrismaClient;
  clock: Clock;
  log: { error(obj: object, msg: string): void };
  /** How often an idle instance looks for due jobs (enqueues on this instance wake its workers at once). */
  pollMs?: number;
  /** How long a claimed job is ours; a job still "running" after that (its worker died) is claimed again. */
  leaseMs?: number;
  concurrency?: number;
  /** Wait before attempt n+1 after attempt n failed; exponential (2 s, 4 s, 8 s… up to 10 min) by default. */
  retryDelayMs?: (attempt: number) => number;
}

const exponentialBackoff = (attempt: number) => Math.min(2 ** attempt * 1_000, 600_000);

type Claimed = { id: string; kind: string; payload: unknown; attempts: number; maxAttempts: number };

/**
 * The embedded job queue: jobs live in the `Job` table, so they survive crashes and restarts, and
 * workers claim them with `FOR UPDATE SKIP LOCKED`, so several instances share one queue safely.
 */
export function createDbJobQueue(opts: DbJobQueueOptions): JobQueue {
  const { db, clock, log, pollMs = 1_000, leaseMs = 60_000, concurrency = 2, retryDelayMs = exponentialBackoff } = opts;
  const handlers = new Map<string, JobHandler>();
  const running = new Set<Promise<void>>();
  /**
   * Which start() the queue is running (undefined: stopped). Workers carry the one that made them, so
   * those of an earlier start, still finishing a job when the queue is stopped and started again, leave.
   */
  let current: number | undefined;
  let starts = 0;
  const sleepers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of sleepers) wake();
  };

  async function claim(): Promise<Claimed | undefined> {
    const now = clock.now();
    const rows = await db.$queryRaw<Claimed[]>`
      UPDATE "Job" SET status = 'running', attempts = attempts + 1,
        "lockedUntil" = ${new Date(now.getTime() + leaseMs)}, "updatedAt" = ${now}
      WHERE id = (
        SELECT id FROM "Job"
        WHERE kind = ANY(${[...handlers.keys()]})
          AND ((status = 'queued' AND "runAt" <= ${now}) OR (status = 'running' AND "lockedUntil" < ${now}))
        ORDER BY "runAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, payload, attempts, "maxAttempts"`;
    return rows[0];
  }

  async function run(job: Claimed) {
    const run: JobRun = { id: job.id, kind: job.kind, payload: job.payload, attempt: job.attempts };
    try {
      await handlers.get(job.kind)?.(run);
      await db.job.update({ where: { id: job.id }, data: { status: "succeeded", lockedUntil: null, lastError: null } });
    } catch (error) {
      const lastError = error instanceof Error ? error.message : String(error);
      const failed = job.attempts >= job.maxAttempts;
      log.error({ err: error, jobId: job.id, kind: job.kind, attempt: job.attempts }, "job failed");
      const delay = retryDelayMs(job.attempts);
      await db.job.update({
        where: { id: job.id },
        data: failed
          ? { status: "failed", lockedUntil: null, lastError }
          : { status: "queued", lockedUntil: null, lastError, runAt: new Date(clock.now().getTime() + delay) },
      });
    }
  }

  /**
   * Idle workers wait to be woken; one of them, whichever went idle first, also on a timer. So an idle
   * instance asks the database once per `pollMs`, not once per worker, and someone keeps polling while
   * the others run jobs (of other instances, or retries coming due).
   */
  let poller: object | undefined;
  async function idle(mine: number) {
    // A worker whose claim was in flight when stop() woke the others must not go to sleep after it.
    if (mine !== current) return;
    const me = {};
    const polls = poller === undefined;
    if (polls) poller = me;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = polls ? setTimeout(wake, pollMs) : undefined;
      sleepers.add(wake);
    });
    // Only its own role: after a restart the new workers' poller may already be someone else.
    if (poller === me) poller = undefined;
  }

  async function worker(mine: number) {
    while (mine === current) {
      const job = await claim().catch((error: unknown) => {
        log.error({ err: error }, "job claim failed");
        return undefined;
      });
      if (job) {
        // More may be due, and the poller may be this worker: every idle worker looks, one keeps the timer.
        wakeAll();
        // Writing the outcome can fail too (the database went away): the job stays claimed until its
        // lease ends and then runs again, and this worker goes on rather than dying with a rejection.
        await run(job).catch((error: unknown) => {
          log.error(
            { err: error, jobId: job.id, kind: job.kind },
            "job outcome not recorded; it runs again once its lease ends",
          );
        });
        continue;
      }
      await idle(mine);
    }
  }

  return {
    async enqueue(kind, payload, options) {
      const id = randomUUID();
      const client = options?.db ?? db;
      await client.job.create({
        data: { id, kind, payload, maxAttempts: options?.maxAttempts ?? 5, runAt: clock.now() },
      });
      wakeAll();
      return { id };
    },
    handle(kind, handler) {
      handlers.set(kind, handler);
    },
    start() {
      if (current !== undefined) return;
      current = ++starts;
      poller = undefined;
      for (let i = 0; i < concurrency; i++) {
        const loop = worker(current).finally(() => running.delete(loop));
        running.add(loop);
      }
    },
    async stop({ waitMs } = {}) {
      current = undefined;
      wakeAll();
      const finished = Promise.all(running);
      if (waitMs === undefined) return void (await finished);
      await withTimeout(finished, waitMs).catch(() => {
        log.error({ running: running.size }, "jobs still running at shutdown; they run again once their lease ends");
      });
    },
  };
}
