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

/**
 * The chain walk of tRPC's `createProcedureCaller`/`callRecursive` (@trpc/server 11.25), written
 * with native object spreads. tRPC's build copies the call options with a transpiled `_objectSpread2`
 * helper three times per middleware, which costs more than the rest of a trivial call together;
 * the middlewares themselves (input and output validation, ours, the resolver) are tRPC's and run
 * unchanged, with the same options, context merging, input overrides and error results.
 */
async function callRecursive(index: number, def: ProcedureDef, opts: Record<string, unknown>): Promise<MiddlewareResult> {
  try {
    const middleware = def.middlewares[index]!;
    return await middleware({
      ...opts,
      meta: def.meta,
      input: opts.input,
      next(nextOpts?: { ctx?: object; input?: unknown; getRawInput?: unknown }) {
        return callRecursive(index + 1, def, {
          ...opts,
          ctx: nextOpts?.ctx ? { ...(opts.ctx as object), ...nextOpts.ctx } : opts.ctx,
          input: nextOpts && "input" in nextOpts ? nextOpts.input : opts.input,
          getRawInput: nextOpts?.getRawInput ?? opts.getRawInput,
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
  const result = await callRecursive(0, def, opts as unknown as Record<string, unknown>);
  if (!result) {
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: "No result from middlewares - did you forget to `return next()`?",
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}
