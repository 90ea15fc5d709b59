import type { FastifyBaseLogger } from "fastify";

type Bindings = Parameters<FastifyBaseLogger["child"]>[0];
type ChildOptions = Parameters<FastifyBaseLogger["child"]>[1];
type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";
type MakeChild = (bindings: Bindings, options?: ChildOptions) => FastifyBaseLogger;
type LevelAware = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

/**
 * A request's logger (`request.log`), built only when the request logs something: Fastify gives
 * every request a pino child carrying its request id, and making one (pino serialises the bindings
 * into a string up front) cost ~4,700 of the ~154,000 instructions of a whole `GET /trpc/health.live`
 * (callgrind, BENCHMARKS.md) — on requests that, outside development, log nothing. What is logged is
 * unchanged: the first line at an enabled level makes the same pino child Fastify would have made.
 * Hand-written because pino has no lazy child.
 */
class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #makeChild: MakeChild;
  readonly #bindings: Bindings;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, makeChild: MakeChild, bindings: Bindings) {
    this.#parent = parent;
    this.#makeChild = makeChild;
    this.#bindings = bindings;
  }

  get level(): string {
    return this.#child?.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#made().level = level;
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#made().child(bindings, options);
  }

  fatal(...args: unknown[]) {
    this.#log("fatal", args);
  }
  error(...args: unknown[]) {
    this.#log("error", args);
  }
  warn(...args: unknown[]) {
    this.#log("warn", args);
  }
  info(...args: unknown[]) {
    this.#log("info", args);
  }
  debug(...args: unknown[]) {
    this.#log("debug", args);
  }
  trace(...args: unknown[]) {
    this.#log("trace", args);
  }
  silent() {}

  #made(): FastifyBaseLogger {
    this.#child ??= this.#makeChild(this.#bindings);
    return this.#child;
  }

  #log(level: Level, args: unknown[]) {
    // Until a child exists its level is the parent's: below it, pino's method would do nothing.
    if (this.#child === undefined && !(this.#parent as LevelAware).isLevelEnabled(level)) return;
    const child = this.#made();
    (child[level] as (...args: unknown[]) => void).apply(child, args);
  }
}

/**
 * Makes the children of `logger` lazy, the per-request loggers Fastify makes from its root logger among
 * them. Done by replacing the instance's `child` rather than through Fastify's `childLoggerFactory`
 * option: with a factory of its own, Fastify checks the returned logger's seven methods on every
 * request, which cost half of what the laziness saves. A child with options of its own (a route's log
 * level or serializers) is made at once, as before.
 */
export function makeChildLoggersLazy(logger: FastifyBaseLogger): void {
  const pinoChild = logger.child;
  const makeChild: MakeChild = (bindings, options) => pinoChild.call(logger, bindings, options);
  // pino's children inherit from their parent object, this replacement included: theirs stay pino's.
  logger.child = function (this: FastifyBaseLogger, bindings, options) {
    return this === logger && hasNone(options)
      ? new LazyRequestLogger(logger, makeChild, bindings)
      : pinoChild.call(this, bindings, options);
  };
}

function hasNone(options: object | undefined): boolean {
  for (const _ in options) return false;
  return true;
}
