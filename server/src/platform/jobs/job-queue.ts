import type { Prisma } from "../../generated/prisma/client.js";

/** A job as its handler receives it. */
export interface JobRun {
  id: string;
  kind: string;
  payload: unknown;
  /** 1 on the first run. */
  attempt: number;
}

export type JobHandler = (job: JobRun) => Promise<void>;

/**
 * Background work that must not be lost: jobs are persisted before `enqueue` resolves and run
 * at least once, retried with backoff on failure. Handlers must therefore be idempotent.
 */
export interface JobQueue {
  /**
   * Persists a job. Pass `db: tx` to enqueue inside a transaction: the job then exists exactly when
   * the work that caused it commits (no welcome email for a rolled-back sign-up, none lost either).
   */
  enqueue(
    kind: string,
    payload: Prisma.InputJsonValue,
    opts?: { maxAttempts?: number; db?: Prisma.TransactionClient },
  ): Promise<{ id: string }>;
  /** Registers the handler of one kind of job; call before `start`. */
  handle(kind: string, handler: JobHandler): void;
  start(): void;
  /**
   * Stops claiming jobs and waits for the running ones to finish: at most `waitMs` when given. A job
   * still running then keeps its claim until its lease ends and runs again after that.
   */
  stop(opts?: { waitMs?: number }): Promise<void>;
}
