/**
 * A queue that bus listeners push into and one async generator reads from: the bridge between
 * callback-style subscriptions and `for await`. Reading ends as soon as `signal` aborts, even
 * while waiting, so a dropped connection runs the reader's `finally` (unsubscribe, leave) at once.
 */
export interface Inbox<T> {
  push(item: T): void;
  /** Every item pushed, in order, until `signal` aborts. Read it once. */
  items(): AsyncGenerator<T, void>;
  /** Takes what is queued now, synchronously. */
  drain(): T[];
}

export function createInbox<T>(signal: AbortSignal): Inbox<T> {
  let queue: T[] = [];
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  signal.addEventListener("abort", wakeUp, { once: true });
  const nextPush = () => (signal.aborted ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve)));

  return {
    push(item) {
      queue.push(item);
      wakeUp();
    },
    drain() {
      const taken = queue;
      queue = [];
      return taken;
    },
    async *items() {
      try {
        while (!signal.aborted) {
          if (queue.length === 0) {
            await nextPush();
            continue;
          }
          const batch = queue;
          queue = [];
          for (const item of batch) {
            if (signal.aborted) return;
            yield item;
          }
        }
      } finally {
        signal.removeEventListener("abort", wakeUp);
      }
    },
  };
}

/**
 * `release` made idempotent, and run when `signal` aborts as well. A subscription's resolver attaches
 * before it returns (so tRPC's "started" means attached) and hands back a generator that releases in
 * its `finally`; a generator that is never read never runs that `finally`, so the subscription's end
 * releases instead. Errors on the abort path have no one to go to and are dropped.
 */
export function releaseOnEnd(signal: AbortSignal, release: () => Promise<void>): () => Promise<void> {
  let released: Promise<void> | undefined;
  const once = () => {
    released ??= release();
    return released;
  };
  signal.addEventListener("abort", () => void once().catch(() => undefined), { once: true });
  return once;
}
