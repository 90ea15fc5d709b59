/**
 * `source`, with each value passed through `map`, an error through `mapError`, and `onEnd` called
 * once when it ends — done, failed or returned early.
 *
 * A plain forwarding iterator rather than an async generator: this wraps every event sent to every
 * subscriber, and a generator layer costs several promises and microtasks per event where this
 * costs one.
 */
export function pipeEvents<T, U = T>(
  source: AsyncIterable<T>,
  opts: { map?: (value: T) => U; mapError?: (error: unknown) => unknown; onEnd?: () => void },
): AsyncIterable<U> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        opts.onEnd?.();
      };
      const fail = (error: unknown): never => {
        end();
        throw opts.mapError ? opts.mapError(error) : error;
      };
      return {
        next: () =>
          iterator.next().then((result): IteratorResult<U> => {
            if (result.done) {
              end();
              return result;
            }
            return opts.map ? { done: false, value: opts.map(result.value) } : (result as unknown as IteratorResult<U>);
          }, fail),
        async return(value?: unknown): Promise<IteratorResult<U>> {
          try {
            return ((await iterator.return?.(value)) ?? { done: true, value }) as IteratorResult<U>;
          } finally {
            end();
          }
        },
        async throw(error?: unknown): Promise<IteratorResult<U>> {
          if (!iterator.throw) return fail(error);
          return iterator.throw(error).then((result) => result as IteratorResult<U>, fail);
        },
      };
    },
  };
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}
