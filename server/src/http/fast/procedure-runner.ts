import {
  type AnyProcedure,
  getParseFn,
  getTRPCErrorFromUnknown,
  middlewareMarker,
  type ProcedureCallOptions,
  TRPCError,
} from "@trpc/server/unstable-core-do-not-import";

type Middleware = ((opts: Record<string, unknown>) => Promise<MiddlewareResult>) & { _type?: string };
type MiddlewareResult = { ok: true; data: unknown } | { ok: false; error: TRPCError };
interface ProcedureDef {
  middlewares: Middleware[];
  meta: unknown;
  caller?: unknown;
  /** The schema of the procedure's `.output()`, if it has one. */
  output?: unknown;
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

/**
 * tRPC's output validator (`createOutputMiddleware`, @trpc/server 11.25), with its result copied by a
 * native spread. tRPC's build copies it with a transpiled `_objectSpread2` that defines each property
 * through descriptors: 1.5–2 µs per call here, against ~20 ns for `{ ...result, data }`, which copies
 * the same own enumerable properties. Validation, the error and its message are tRPC's.
 */
function validateOutput(parse: (value: unknown) => unknown): Middleware {
  return async ({ next }) => {
    const result = await (next as () => Promise<MiddlewareResult>)();
    if (!result.ok) return result;
    try {
      const data = await parse(result.data);
      return { ...result, data };
    } catch (cause) {
      throw new TRPCError({ message: "Output validation failed", code: "INTERNAL_SERVER_ERROR", cause });
    }
  };
}

const chains = new WeakMap<ProcedureDef, Middleware[]>();

/**
 * A procedure's middlewares as this runner calls them: tRPC's, with its output validator swapped for
 * `validateOutput` of the same schema. A procedure has one at most: tRPC refuses a second `.output()`
 * ("Duplicate key output").
 */
function chainOf(def: ProcedureDef): Middleware[] {
  let chain = chains.get(def);
  if (!chain) {
    const schema = def.output;
    chain =
      schema === undefined
        ? def.middlewares
        : def.middlewares.map((middleware) =>
            middleware._type === "output" ? validateOutput(getParseFn(schema as never)) : middleware,
          );
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
  ) {
    this.#signals = signals;
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
}

/**
 * The chain walk of tRPC's `createProcedureCaller`/`callRecursive` (@trpc/server 11.25). tRPC's
 * build copies the call options with a transpiled `_objectSpread2` helper at every step, which
 * costs more than the rest of a small call together; here each step gets a `MiddlewareOptions`
 * instead. The middlewares themselves (input validation, ours, the resolver) are tRPC's and run
 * unchanged, with the same options, context merging, input overrides and error results; output
 * validation is tRPC's too, but for its copy of the result (`chainOf`).
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
      ctx: nextOpts?.ctx ? mergeContext(state.ctx as object, nextOpts.ctx) : state.ctx,
      input: nextOpts && "input" in nextOpts ? nextOpts.input : state.input,
    });
  let result: Promise<MiddlewareResult>;
  try {
    result = chain[index]!(
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
      ) as unknown as Record<string, unknown>,
    );
  } catch (cause) {
    return Promise.resolve(failedResult(cause));
  }
  // tRPC awaits the middleware inside its try: a rejection becomes an error result, as a throw does.
  // A `then` instead of an async function's await: the same one turn of the microtask queue, without
  // suspending and resuming a frame at every step of the chain. With callProcedure's own frame gone too,
  // health.live's call (4 steps) takes 12–23% less, in each of 8 interleaved pairs of processes
  // (e.g. 1,017 → 791 ns): little of a request (~50 µs), more of a batch.
  return Promise.resolve(result).then(undefined, failedResult);
}

const failedResult = (cause: unknown) =>
  ({ ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker }) as MiddlewareResult;

/** tRPC's call options, with the signal coming from a source that makes it on demand. */
export type ProcedureCall = Omit<ProcedureCallOptions<unknown>, "signal"> & { signals: SignalSource };

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
  }).then(dataOf);
}

async function callThroughProcedure(procedure: AnyProcedure, call: ProcedureCall): Promise<unknown> {
  const { signals, ...opts } = call;
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
