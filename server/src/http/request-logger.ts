import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";

type Factory = NonNullable<FastifyServerOptions["childLoggerFactory"]>;
type Bindings = Parameters<FastifyBaseLogger["child"]>[0];
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger["child"]>[1]>;
type Method = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * The per-request logger Fastify hands out as `request.log`: pino's child with the request id
 * (`{ reqId }`), made only when the request first logs. Fastify makes the child for every request,
 * and pino serialises its bindings and copies the parent's state to do so; at production levels
 * almost no request logs anything, so that was ~4% of a trivial request's cost (bench/README.md).
 * A call below the logger's level makes nothing either. Neither Fastify nor pino offers a lazy child, hence this wrapper; it forwards the whole
 * FastifyBaseLogger interface to the child.
 */
class LazyRequestLogger {
  #made: FastifyBaseLogger | undefined;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildOptions;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #logger(): FastifyBaseLogger {
    this.#made ??= this.#parent.child(this.#bindings, this.#options);
    return this.#made;
  }

  get level(): string {
    return this.#made?.level ?? this.#options.level ?? this.#parent.level;
  }
  set level(level: string) {
    this.#logger.level = level;
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
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
  silent(...args: unknown[]) {
    this.#log("silent", args);
  }

  #log(method: Method, args: unknown[]) {
    // A line below the level would be dropped by the child as well (Fastify's own "incoming request"
    // line at info, say): no need to make it. A route-level log level is the child's to apply.
    if (!this.#made && this.#options.level === undefined && !isEnabled(this.#parent, method)) return;
    const logger = this.#logger;
    (logger[method] as (...args: unknown[]) => void).apply(logger, args);
  }
}

/** pino's `isLevelEnabled`; a logger without it is asked every time. */
function isEnabled(logger: FastifyBaseLogger, method: Method): boolean {
  const check = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return check ? check.call(logger, method) : true;
}

/** Fastify's `childLoggerFactory` option: request loggers that cost nothing until used. */
export const lazyRequestLoggers: Factory = (logger, bindings, options) =>
  new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
