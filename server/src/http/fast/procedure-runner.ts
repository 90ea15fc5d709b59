import {
  type AnyProcedure,
  getParseFn,
  getTRPCErrorFromUnknown,
  isObject,
  middlewareMarker,
  type ProcedureCallOptions,
  TRPCError,
} from "@trpc/server/unstable-core-do-not-import";

type Middleware = ((opts: Record<string, unknown>) => Promise<MiddlewareResult>) & {
  _type?: string;
  /** Set on this runner's own steps, which neither throw nor reject: their failures are error results already. */
  settles?: true;
};
type MiddlewareResult = { ok: true; data: unknown } | { ok: false; error: TRPCError };
interface ProcedureDef {
  middlewares: Middleware[];
  meta: unknown;
  caller?: unknown;
  /** The schemas of the procedure's `.input()` calls, in the order of their validators among the middlewares. */
  inputs?: unknown[];
  /** The schema of the procedure's `.output()`, if it has one. */
  output?: unknown;
  /** The function given to `.query()`/`.mutation()`, which tRPC's last middleware calls. */
  resolver?: (opts: Record<string, unknown>) => unknown;
}
/** The call options tRPC's adapters pass to a procedure. */
type CallOptions = ProcedureCallOptions<unknown>;
type NextOptions = { ctx?: object; input?: unknown; getRawInput?: CallOptions["getRawInput"] } | undefined;

/** `{ ...ctx, ...extra }`, without the spread-then-spread literal that V8 builds slowly. */
function mergeContext(ctx: object, extra: object): object {
  // Object.assign would call the `__proto__` setter where a spread defines a property of that name.
  if (Object.hasOwn(ctx, "__proto__") || Object.hasOwn(extra, "__proto__")) return { ...ctx, ...extra };
  return Object.assign({}, ctx, extra);
}

/** What `await` would wait for: any object or function with a `then` method, not only a Promise. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * tRPC's input validator (`createInputMiddleware`, @trpc/server 11.25) for one of the procedure's
 * `.input()` schemas, without a turn of the microtask queue where nothing is pending. tRPC's awaits the
 * raw input and then the parse, both ready at once here (the fast paths parse the body before the call,
 * and zod's synchronous parse runs first), and resolves its own promise with `next()`'s: a turn for each.
 * This reads the input synchronously where the caller can (`ProcedureCall.readRawInput`) and calls
 * `next` straight away; otherwise it waits for `getRawInput()` as tRPC does. The error for a bad input
 * (BAD_REQUEST, the validator's error as its cause), the merging of several inputs (a copy of the
 * earlier input's own enumerable properties, then the new one's) and what `next` receives are tRPC's.
 */
function validateInput(parse: (value: unknown) => unknown): Middleware {
  return settling((opts) => {
    const options = opts as unknown as MiddlewareOptions;
    const read = MiddlewareOptions.rawInputReaderOf(options);
    if (read === undefined) {
      return options.getRawInput().then((raw) => parseThenNext(options, parse, raw), failedResult);
    }
    let raw: unknown;
    try {
      raw = read();
    } catch (cause) {
      return failedPromise(cause);
    }
    return parseThenNext(options, parse, raw);
  });
}

function parseThenNext(opts: MiddlewareOptions, parse: (value: unknown) => unknown, raw: unknown) {
  let parsed: unknown;
  try {
    parsed = parse(raw);
  } catch (cause) {
    return Promise.resolve(badInput(cause));
  }
  if (!isThenable(parsed)) return nextWithInput(opts, parsed);
  return Promise.resolve(parsed).then((value) => nextWithInput(opts, value), badInput);
}

const badInput = (cause: unknown) => failedResult(new TRPCError({ code: "BAD_REQUEST", cause }));

function nextWithInput(opts: MiddlewareOptions, parsed: unknown): Promise<MiddlewareResult> {
  const earlier = opts.input;
  const input = isObject(earlier) && isObject(parsed) ? { ...earlier, ...parsed } : parsed;
  return opts.next({ input });
}

/**
 * tRPC's output validator (`createOutputMiddleware`, @trpc/server 11.25), with its result copied by a
 * native spread and no frame of its own to suspend. tRPC's build copies the result with a transpiled
 * `_objectSpread2` that defines each property through descriptors: 1.5–2 µs per call here, against
 * ~20 ns for `{ ...result, data }`, which copies the same own enumerable properties. Validation, the
 * error and its message are tRPC's.
 */
function validateOutput(parse: (value: unknown) => unknown): Middleware {
  const badOutput = (cause: unknown) =>
    failedResult(new TRPCError({ message: "Output validation failed", code: "INTERNAL_SERVER_ERROR", cause }));
  return settling(({ next }) =>
    (next as () => Promise<MiddlewareResult>)().then((result) => {
      if (!result.ok) return result;
      let data: unknown;
      try {
        data = parse(result.data);
      } catch (cause) {
        return badOutput(cause);
      }
      if (!isThenable(data)) return { ...result, data };
      return Promise.resolve(data).then((value) => ({ ...result, data: value }), badOutput);
    }),
  );
}

/**
 * tRPC's last middleware (`resolveMiddleware` in `createResolver`), calling the procedure's resolver,
 * without a turn of the microtask queue for a resolver that answers synchronously. The result is
 * tRPC's: `{ marker, ok: true, data, ctx }`, and a resolver's error becomes the chain's error result.
 */
function resolveWith(resolver: NonNullable<ProcedureDef["resolver"]>): Middleware {
  return settling((opts) => {
    const ctx = opts.ctx;
    let data: unknown;
    try {
      data = resolver(opts);
    } catch (cause) {
      return failedPromise(cause);
    }
    if (!isThenable(data)) {
      return Promise.resolve({ marker: middlewareMarker, ok: true, data, ctx } as MiddlewareResult);
    }
    return Promise.resolve(data).then(
      (value) => ({ marker: middlewareMarker, ok: true, data: value, ctx }) as MiddlewareResult,
      failedResult,
    );
  });
}

/** Marks one of this runner's own steps, which return their failures as error results: see callRecursive. */
function settling(middleware: Middleware): Middleware {
  middleware.settles = true;
  return middleware;
}

const chains = new WeakMap<ProcedureDef, Middleware[]>();

/**
 * A procedure's middlewares as this runner calls them: tRPC's, with its validators and its last step
 * (the one calling the resolver) swapped for `validateInput`, `validateOutput` and `resolveWith` of the
 * same schemas and resolver. The i-th input validator among the middlewares is the i-th `.input()`
 * (tRPC's builder appends both together, `.concat()` included); where the counts disagree, tRPC's input
 * validators stay. A procedure has one output validator at most: tRPC refuses a second `.output()`
 * ("Duplicate key output").
 */
function chainOf(def: ProcedureDef): Middleware[] {
  let chain = chains.get(def);
  if (!chain) {
    const inputs = def.inputs ?? [];
    const inputValidators = def.middlewares.filter((middleware) => middleware._type === "input").length;
    const swapInputs = inputValidators === inputs.length;
    const last = def.middlewares.length - 1;
    let inputIndex = 0;
    chain = def.middlewares.map((middleware, index) => {
      if (middleware._type === "input" && swapInputs) return validateInput(getParseFn(inputs[inputIndex++] as never));
      if (middleware._type === "output" && def.output !== undefined)
        return validateOutput(getParseFn(def.output as never));
      if (index === last && def.resolver && middleware.name === "resolveMiddleware") return resolveWith(def.resolver);
      return middleware;
    });
    chains.set(def, chain);
  }
  return chain;
}

/** Where a call's abort signal comes from: `RequestInfo`, which makes it when first read. */
export interface SignalSource {
  readonly signal: AbortSignal | undefined;
}

/**
 * The options a middleware (and in the end the resolver) is called with: the keys of tRPC's own,
 * with `signal` a getter on the prototype that reads the request's lazily made signal. Few
 * procedures look at it, and making an AbortController cost ~15 µs per request under load, more than
 * the whole chain walk. A class, because a literal `get signal()` allocates a getter per object,
 * which cost more in garbage collection than it saved (tried). Unlike tRPC's plain object, a spread
 * of these options (`{ ...opts }`) leaves `signal` out; destructuring and `opts.signal` read it.
 */
class MiddlewareOptions {
  readonly #signals: SignalSource;
  readonly #readRawInput: (() => unknown) | undefined;
  constructor(
    readonly path: string,
    readonly getRawInput: CallOptions["getRawInput"],
    readonly ctx: unknown,
    readonly type: CallOptions["type"],
    signals: SignalSource,
    readonly batchIndex: number,
    readonly meta: unknown,
    readonly input: unknown,
    readonly next: (nextOpts?: NextOptions) => Promise<MiddlewareResult>,
    readRawInput: (() => unknown) | undefined,
  ) {
    this.#signals = signals;
    this.#readRawInput = readRawInput;
  }
  /** `getRawInput` without its promise, where the caller has one and no middleware replaced `getRawInput`. */
  static rawInputReaderOf(opts: MiddlewareOptions): (() => unknown) | undefined {
    return #readRawInput in opts ? opts.#readRawInput : undefined;
  }
  get signal(): AbortSignal | undefined {
    return this.#signals.signal;
  }
}

/** What changes along the chain: middlewares may extend the context and replace the input. */
interface ChainState {
  ctx: unknown;
  input: unknown;
  getRawInput: CallOptions["getRawInput"];
  /** The synchronous twin of `getRawInput`, until a middleware replaces that. */
  readRawInput: (() => unknown) | undefined;
}

/**
 * The chain walk of tRPC's `createProcedureCaller`/`callRecursive` (@trpc/server 11.25). tRPC's
 * build copies the call options with a transpiled `_objectSpread2` helper at every step, which
 * costs more than the rest of a small call together; here each step gets a `MiddlewareOptions`
 * instead. Middlewares added with `.use()` (ours, or an app's) run unchanged, with the same
 * options, context merging, input overrides and error results; tRPC's input and output validators and
 * its resolver step are replaced by this file's copies of them (`chainOf`).
 */
function callRecursive(
  index: number,
  def: ProcedureDef,
  chain: Middleware[],
  call: ProcedureCall,
  state: ChainState,
): Promise<MiddlewareResult> {
  const next = (nextOpts: NextOptions) =>
    callRecursive(index + 1, def, chain, call, {
      getRawInput: nextOpts?.getRawInput ?? state.getRawInput,
      readRawInput: nextOpts?.getRawInput ? undefined : state.readRawInput,
      ctx: nextOpts?.ctx ? mergeContext(state.ctx as object, nextOpts.ctx) : state.ctx,
      input: nextOpts && "input" in nextOpts ? nextOpts.input : state.input,
    });
  const middleware = chain[index]!;
  let result: Promise<MiddlewareResult>;
  try {
    result = middleware(
      new MiddlewareOptions(
        call.path,
        state.getRawInput,
        state.ctx,
        call.type,
        call.signals,
        call.batchIndex,
        def.meta,
        state.input,
        next,
        state.readRawInput,
      ) as unknown as Record<string, unknown>,
    );
  } catch (cause) {
    return failedPromise(cause);
  }
  // tRPC awaits the middleware inside its try: a rejection becomes an error result, as a throw does.
  // This runner's own steps (validateInput, validateOutput, resolveWith) return their failures as error
  // results and their promises never reject, so they skip that turn of the microtask queue.
  if (middleware.settles) return result;
  // A `then` instead of an async function's await: the same one turn of the microtask queue, without
  // suspending and resuming a frame at every step of the chain. With callProcedure's own frame gone too,
  // health.live's call (4 steps) takes 12–23% less, in each of 8 interleaved pairs of processes
  // (e.g. 1,017 → 791 ns): little of a request (~50 µs), more of a batch.
  return Promise.resolve(result).then(undefined, failedResult);
}

const failedResult = (cause: unknown) =>
  ({ ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker }) as MiddlewareResult;

/** A failure as an already settled chain result, for steps that must return a promise. */
const failedPromise = (cause: unknown) => Promise.resolve(failedResult(cause));

/** tRPC's call options, with the signal coming from a source that makes it on demand. */
export type ProcedureCall = Omit<ProcedureCallOptions<unknown>, "signal"> & {
  signals: SignalSource;
  /** `getRawInput` without its promise: returns the input or throws what `getRawInput` would reject with. */
  readRawInput?: () => unknown;
};

/**
 * Calls a procedure as `procedure(opts)` would. Procedures with an `experimental_caller` override
 * are called through it, as tRPC does.
 */
export function callProcedure(procedure: AnyProcedure, call: ProcedureCall): Promise<unknown> {
  const def = procedure._def as unknown as ProcedureDef;
  if (def.caller || !Array.isArray(def.middlewares)) return callThroughProcedure(procedure, call);
  return callRecursive(0, def, chainOf(def), call, {
    ctx: call.ctx,
    input: undefined,
    getRawInput: call.getRawInput,
    readRawInput: call.readRawInput,
  }).then(dataOf);
}

async function callThroughProcedure(procedure: AnyProcedure, call: ProcedureCall): Promise<unknown> {
  const { signals, readRawInput: _, ...opts } = call;
  return procedure({ ...opts, signal: signals.signal });
}

function dataOf(result: MiddlewareResult | undefined): unknown {
  if (!result) {
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: "No result from middlewares - did you forget to `return next()`?",
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}
