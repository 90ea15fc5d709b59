import {
  type AnyProcedure,
  getTRPCErrorFromUnknown,
  middlewareMarker,
  type ProcedureCallOptions,
  TRPCError,
} from "@trpc/server/unstable-core-do-not-import";

type Middleware = (opts: Record<string, unknown>) => Promise<MiddlewareResult>;
type MiddlewareResult = { ok: true; data: unknown } | { ok: false; error: TRPCError };
interface ProcedureDef {
  middlewares: Middleware[];
  meta: unknown;
  caller?: unknown;
}
/** The call options tRPC's adapters pass to a procedure; `input` once a middleware has set one. */
type CallOptions = ProcedureCallOptions<unknown> & { input?: unknown };
type NextOptions = { ctx?: object; input?: unknown; getRawInput?: CallOptions["getRawInput"] } | undefined;

/** `{ ...ctx, ...extra }`, without the spread-then-spread literal that V8 builds slowly. */
function mergeContext(ctx: object, extra: object): object {
  // Object.assign would call the `__proto__` setter where a spread defines a property of that name.
  if (Object.hasOwn(ctx, "__proto__") || Object.hasOwn(extra, "__proto__")) return { ...ctx, ...extra };
  return Object.assign({}, ctx, extra);
}

/**
 * The chain walk of tRPC's `createProcedureCaller`/`callRecursive` (@trpc/server 11.25). tRPC's
 * build copies the call options with a transpiled `_objectSpread2` helper at every step, which
 * costs more than the rest of a small call together; the call options here always have the same
 * keys (those of `CallOptions`), so they are written out instead. The middlewares themselves (input
 * and output validation, ours, the resolver) are tRPC's and run unchanged, with the same options,
 * context merging, input overrides and error results.
 */
async function callRecursive(index: number, def: ProcedureDef, opts: CallOptions): Promise<MiddlewareResult> {
  try {
    const middleware = def.middlewares[index]!;
    return await middleware({
      path: opts.path,
      getRawInput: opts.getRawInput,
      ctx: opts.ctx,
      type: opts.type,
      signal: opts.signal,
      batchIndex: opts.batchIndex,
      meta: def.meta,
      input: opts.input,
      next(nextOpts: NextOptions) {
        return callRecursive(index + 1, def, {
          path: opts.path,
          getRawInput: nextOpts?.getRawInput ?? opts.getRawInput,
          ctx: nextOpts?.ctx ? mergeContext(opts.ctx as object, nextOpts.ctx) : opts.ctx,
          type: opts.type,
          signal: opts.signal,
          batchIndex: opts.batchIndex,
          input: nextOpts && "input" in nextOpts ? nextOpts.input : opts.input,
        });
      },
    });
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker } as MiddlewareResult;
  }
}

/**
 * Calls a procedure as `procedure(opts)` would. Procedures with an `experimental_caller` override
 * are called through it, as tRPC does.
 */
export async function callProcedure(procedure: AnyProcedure, opts: ProcedureCallOptions<unknown>): Promise<unknown> {
  const def = procedure._def as unknown as ProcedureDef;
  if (def.caller || !Array.isArray(def.middlewares)) return procedure(opts);
  const result = await callRecursive(0, def, opts);
  if (!result) {
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: "No result from middlewares - did you forget to `return next()`?",
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}
