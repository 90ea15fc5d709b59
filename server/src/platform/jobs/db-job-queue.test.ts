import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openIsolatedDatabase } from "../../testing/isolated-database.js";
import type { Database } from "../db/index.js";
import { withTimeout } from "../with-timeout.js";
import { createDbJobQueue, type DbJobQueueOptions } from "./db-job-queue.js";
import type { JobRun } from "./job-queue.js";

let database: Database;
beforeAll(async () => {
  database = await openIsolatedDatabase();
});
afterAll(() => database.close());

const quietLog = { error: () => {} };
const clock = { now: () => new Date() };

function queue(options: Partial<DbJobQueueOptions> = {}) {
  return createDbJobQueue({ db: database.prisma, clock, log: quietLog, pollMs: 20, retryDelayMs: () => 0, ...options });
}

/** A promise and the function that resolves it. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Whether `promise` settles within `ms` (a hang would otherwise only show as the test's own timeout). */
const settlesWithin = (promise: Promise<unknown>, ms: number) =>
  withTimeout(promise, ms).then(
    () => true,
    () => false,
  );

describe("the database job queue", () => {
  it("runs an enqueued job once, with its payload, and records success", async () => {
    const jobs = queue();
    const runs: JobRun[] = [];
    jobs.handle("greet", async (job) => {
      runs.push(job);
    });
    jobs.start();
    const { id } = await jobs.enqueue("greet", { name: "Ada" });
    await vi.waitFor(async () => {
      expect((await database.prisma.job.findUniqueOrThrow({ where: { id } })).status).toBe("succeeded");
    });
    await jobs.stop();
    expect(runs).toEqual([{ id, kind: "greet", payload: { name: "Ada" }, attempt: 1 }]);
  });

  it("retries a failing job, then marks it failed with the last error", async () => {
    const jobs = queue();
    let attempts = 0;
    jobs.handle("flaky", async (job) => {
      attempts++;
      throw new Error(`boom ${job.attempt}`);
    });
    jobs.start();
    const { id } = await jobs.enqueue("flaky", {}, { maxAttempts: 3 });
    await vi.waitFor(async () => {
      const job = await database.prisma.job.findUniqueOrThrow({ where: { id } });
      expect(job).toMatchObject({ status: "failed", attempts: 3, lastError: "boom 3" });
    });
    await jobs.stop();
    expect(attempts).toBe(3);
  });

  it("a job whose worker died (left running, lease expired) is picked up by a new worker", async () => {
    const crashed = await database.prisma.job.create({
      data: {
        id: "crashed-1",
        kind: "resume",
        payload: { n: 1 },
        status: "running",
        attempts: 1,
        lockedUntil: new Date(Date.now() - 1000),
      },
    });
    const jobs = queue();
    const seen: JobRun[] = [];
    jobs.handle("resume", async (job) => {
      seen.push(job);
    });
    jobs.start();
    await vi.waitFor(async () => {
      expect((await database.prisma.job.findUniqueOrThrow({ where: { id: crashed.id } })).status).toBe("succeeded");
    });
    await jobs.stop();
    expect(seen.map((job) => job.attempt)).toEqual([2]);
  });

  it("jobs enqueued while no worker runs wait for one (nothing is lost across a restart)", async () => {
    const before = queue();
    const { id } = await before.enqueue("later", { x: 1 });
    await before.stop();
    const after = queue();
    const done = vi.fn();
    after.handle("later", async () => done());
    after.start();
    await vi.waitFor(() => expect(done).toHaveBeenCalledOnce());
    await after.stop();
    expect((await database.prisma.job.findUniqueOrThrow({ where: { id } })).status).toBe("succeeded");
  });

  it("an idle queue asks the database once per poll interval, however many workers it has", async () => {
    let claims = 0;
    // Claims are the queue's only raw queries; everything else reaches the real client untouched.
    const counted = new Proxy(database.prisma, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (key !== "$queryRaw") return value;
        return (...args: unknown[]) => {
          claims++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const jobs = queue({ db: counted, pollMs: 50, concurrency: 4 });
    jobs.handle("nothing-queued", async () => {});
    jobs.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    claims = 0;
    await new Promise((resolve) => setTimeout(resolve, 600));
    const counted600ms = claims;
    await jobs.stop();
    // 600 ms / 50 ms = 12 polls (a late timer makes fewer); one per worker would be 48.
    expect(counted600ms).toBeGreaterThan(0);
    expect(counted600ms).toBeLessThanOrEqual(13);
  });

  it("keeps polling while a worker is busy: a job another instance queued runs beside a long one", async () => {
    const jobs = queue({ concurrency: 2 });
    const long = deferred();
    const ran = vi.fn();
    jobs.handle("long", () => long.promise);
    jobs.handle("from-elsewhere", async () => ran());
    jobs.start();
    const { id: longId } = await jobs.enqueue("long", {});
    await vi.waitFor(async () => {
      expect((await database.prisma.job.findUniqueOrThrow({ where: { id: longId } })).status).toBe("running");
    });
    // Written straight to the table, as another instance's enqueue is: nothing here wakes a worker.
    await database.prisma.job.create({
      data: { id: "from-elsewhere-1", kind: "from-elsewhere", payload: {}, runAt: new Date() },
    });
    await vi.waitFor(() => expect(ran).toHaveBeenCalledOnce());
    long.resolve();
    await jobs.stop();
  });

  it("stops at once when a worker's claim is still in flight (it would otherwise sleep until the next poll)", async () => {
    const claimStarted = deferred();
    const held = deferred();
    // The first claim is held until stop() has been called.
    const slowFirstClaim = new Proxy(database.prisma, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (key !== "$queryRaw") return value;
        return async (...args: unknown[]) => {
          claimStarted.resolve();
          await held.promise;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const jobs = queue({ db: slowFirstClaim, pollMs: 3_600_000, concurrency: 1 });
    jobs.handle("nothing-queued", async () => {});
    jobs.start();
    await claimStarted.promise;
    const stopping = jobs.stop();
    held.resolve();
    // Without the fix it waits for the hour-long poll.
    expect(await settlesWithin(stopping, 5_000)).toBe(true);
  });

  it("a stop() followed at once by start() still finishes: the old worker leaves after its job", async () => {
    const held = deferred();
    const jobs = queue({ concurrency: 1 });
    jobs.handle("held", () => held.promise);
    jobs.handle("after", async () => {});
    jobs.start();
    const { id } = await jobs.enqueue("held", {});
    await vi.waitFor(async () => {
      expect((await database.prisma.job.findUniqueOrThrow({ where: { id } })).status).toBe("running");
    });
    const stopping = jobs.stop();
    jobs.start();
    held.resolve();
    expect(await settlesWithin(stopping, 5_000)).toBe(true);
    // The restarted queue polls: a job another instance queued (nothing wakes a worker here) runs.
    await database.prisma.job.create({
      data: { id: "after-restart-1", kind: "after", payload: {}, runAt: new Date() },
    });
    await vi.waitFor(async () => {
      expect((await database.prisma.job.findUniqueOrThrow({ where: { id: "after-restart-1" } })).status).toBe(
        "succeeded",
      );
    });
    await jobs.stop();
  });

  it("a job whose outcome cannot be written (database gone) leaves the worker running", async () => {
    // Claims and enqueues reach the database; writing a job's outcome fails.
    const cannotUpdate = new Proxy(database.prisma, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (key !== "job") return value;
        return new Proxy(value, {
          get: (model, method) =>
            method === "update" ? () => Promise.reject(new Error("connection lost")) : Reflect.get(model, method),
        });
      },
    });
    const errors: string[] = [];
    const jobs = queue({ db: cannotUpdate, concurrency: 1, log: { error: (_obj, msg) => errors.push(msg) } });
    const ran = vi.fn();
    jobs.handle("unrecorded", async (job) => ran(job.payload));
    jobs.start();
    await jobs.enqueue("unrecorded", { n: 1 });
    await vi.waitFor(() => expect(ran).toHaveBeenCalledWith({ n: 1 }));
    // The same worker goes on to the next job.
    await jobs.enqueue("unrecorded", { n: 2 });
    await vi.waitFor(() => expect(ran).toHaveBeenCalledWith({ n: 2 }));
    await jobs.stop();
    expect(errors).toContain("job outcome not recorded; it runs again once its lease ends");
  });

  it("stop({ waitMs }) gives up on a job that does not finish, which keeps its claim for a later run", async () => {
    const stuck = deferred();
    const errors: string[] = [];
    const jobs = queue({ concurrency: 1, log: { error: (_obj, msg) => errors.push(msg) } });
    jobs.handle("stuck", () => stuck.promise);
    jobs.start();
    const { id } = await jobs.enqueue("stuck", {});
    await vi.waitFor(async () => {
      expect((await database.prisma.job.findUniqueOrThrow({ where: { id } })).status).toBe("running");
    });
    expect(await settlesWithin(jobs.stop({ waitMs: 100 }), 2_000)).toBe(true);
    expect(errors).toContain("jobs still running at shutdown; they run again once their lease ends");
    const job = await database.prisma.job.findUniqueOrThrow({ where: { id } });
    expect(job.status).toBe("running");
    expect(job.lockedUntil?.getTime()).toBeGreaterThan(Date.now());
    stuck.resolve();
  });

  it("two workers sharing the database never run one job twice", async () => {
    const a = queue();
    const b = queue();
    const runs = new Map<string, number>();
    const count = async (job: JobRun) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    };
    a.handle("shared", count);
    b.handle("shared", count);
    const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => a.enqueue("shared", { n })));
    a.start();
    b.start();
    await vi.waitFor(() => expect(runs.size).toBe(20));
    await Promise.all([a.stop(), b.stop()]);
    expect(ids.every(({ id }) => runs.get(id) === 1)).toBe(true);
  });
});
