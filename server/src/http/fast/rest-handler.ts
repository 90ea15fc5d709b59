import type { ResponseMeta, TRPCRequestInfo } from "@trpc/server/http";
import { type AnyProcedure, getErrorShape, isPromise, type TRPCError } from "@trpc/server/unstable-core-do-not-import";
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  acceptsRequestBody,
  coerceSchema,
  getBody,
  getContentType,
  getErrorFromUnknown,
  getInputOutputParsers,
  getQuery,
  instanceofZodTypeLikeVoid,
  instanceofZodTypeObject,
  instanceofZodTypeOptional,
  type OpenApiMethod,
  type OpenApiRouter,
  TRPC_ERROR_CODE_HTTP_STATUS,
  unwrapZodType,
  zodSupportsCoerce,
} from "trpc-to-openapi";
import { ZodArray, type ZodObject, type ZodType } from "zod/v4";
import { callProcedure, type SignalSource } from "./procedure-runner.js";
import { RequestInfo } from "./request-info.js";
import { requestSignal } from "./request-signal.js";
import { assertValidUrl } from "./request-url.js";
import { createRestRouteLookup, requestUrl, routePathOf } from "./rest-routes.js";

type ProcedureType = "query" | "mutation";

export interface FastRestOptions {
  router: OpenApiRouter;
  createContext: (opts: { req: FastifyRequest; res: FastifyReply; info: TRPCRequestInfo }) => unknown;
  responseMeta?: (opts: {
    type: ProcedureType;
    paths: readonly string[];
    ctx: unknown;
    data: unknown[];
    errors: TRPCError[];
    info: TRPCRequestInfo | undefined;
    eagerGeneration: boolean;
  }) => ResponseMeta;
  onError?: (opts: {
    error: TRPCError;
    type: ProcedureType;
    path: string;
    input: unknown;
    ctx: unknown;
    req: FastifyRequest;
  }) => void;
}

/** What trpc-to-openapi would have sent: a status, extra headers, and the body before JSON.stringify. */
export interface RestAnswer {
  status: number;
  headers: ResponseMeta["headers"];
  body: unknown;
}

/** What trpc-to-openapi works out from a procedure's input schema on every request, worked out once. */
interface InputPlan {
  schema: ZodType;
  isVoid: boolean;
  isObject: boolean;
  /** Fields declared as arrays: a single query-string value becomes a one-element array. */
  arrayKeys: string[];
  coerced: boolean;
}

function planInput(procedure: AnyProcedure): InputPlan {
  const schema = unwrapZodType(getInputOutputParsers(procedure as never).inputParser, true) as ZodType;
  const isObject = zodSupportsCoerce && instanceofZodTypeObject(schema);
  const shape = isObject ? (schema as ZodObject).shape : {};
  const arrayKeys = Object.entries(shape)
    .filter(
      ([, field]) =>
        field instanceof ZodArray || (instanceofZodTypeOptional(field) && field.unwrap() instanceof ZodArray),
    )
    .map(([key]) => key);
  return { schema, isVoid: instanceofZodTypeLikeVoid(schema), isObject, arrayKeys, coerced: false };
}

/**
 * `{ ...values, ...pathInput }` as trpc-to-openapi builds the input, without the double-spread literal
 * V8 builds slowly. Object.assign would call the `__proto__` setter where a spread defines a
 * property of that name (`?__proto__=x`), so such inputs take the spread.
 */
function merge(values: unknown, pathInput: Record<string, string>): Record<string, unknown> {
  if (values !== null && typeof values === "object" && Object.hasOwn(values, "__proto__")) {
    return { ...values, ...pathInput };
  }
  return Object.assign({}, values, pathInput);
}

/** trpc-to-openapi calls procedures through `createCaller`, which gives them no signal. */
const NO_SIGNAL: SignalSource = { signal: undefined };

/**
 * Serves REST routes the way trpc-to-openapi's Node handler does — the same procedure found (by a
 * lookup that grows less with the number of routes, rest-routes.ts), query and body handling, string
 * coercion, context, `responseMeta` and error shape, from its own exported building blocks — but with
 * Fastify's already-parsed request and without the fetch `Request` that handler builds on every call
 * only to take an abort signal from it (made here only if `info.signal` is read).
 *
 * Resolves to null, having done nothing, for what it leaves to the stock handler: no matching
 * procedure (404, HEAD) and a body that is not JSON (415).
 */
export function createFastRestHandler(opts: FastRestOptions) {
  const { router } = opts;
  const findProcedure = createRestRouteLookup(router);
  const plans = new Map<AnyProcedure, InputPlan>();

  return async function handleRest(request: FastifyRequest, reply: FastifyReply): Promise<RestAnswer | null> {
    const method = request.method as OpenApiMethod | "HEAD";
    const rawUrl = request.raw.url ?? "/";
    let parsedUrl: URL | undefined;
    const urlOf = () => {
      parsedUrl ??= requestUrl(rawUrl);
      return parsedUrl;
    };
    const found = findProcedure(method, routePathOf(rawUrl));
    const procedure = found?.procedure;
    if (!found || !procedure) return null;
    const { pathInput } = found;
    const useBody = acceptsRequestBody(method);
    if (useBody && !getContentType(request as never)?.startsWith("application/json")) return null;

    const { type, path } = procedure;
    const proc = procedure.procedure as unknown as AnyProcedure;
    let input: Record<string, unknown> | undefined;
    let ctx: unknown;
    let info: TRPCRequestInfo | undefined;
    let data: unknown;
    try {
      let plan = plans.get(proc);
      if (!plan) {
        plan = planInput(proc);
        plans.set(proc, plan);
      }
      if (!plan.isVoid) {
        // getQuery reads Fastify's parsed `request.query`; the URL is its fallback only.
        const values = useBody ? await getBody(request as never) : getQuery(request as never, urlOf());
        input = merge(values, pathInput);
      }
      if (plan.isObject) {
        if (!useBody && input) {
          for (const key of plan.arrayKeys) {
            if (input[key] !== undefined && !Array.isArray(input[key])) input[key] = [input[key]];
          }
        }
        // Sets `coerce` on the schema's number/boolean/date fields, for every later caller too;
        // trpc-to-openapi repeats this on each request, once has the same effect.
        if (!plan.coerced) coerceSchema(plan.schema as never);
        plan.coerced = true;
      }
      // trpc-to-openapi builds a fetch Request here (for its signal), which fails on a URL it cannot parse.
      assertValidUrl(request.raw);
      info = new RequestInfo({ isBatchCall: false, accept: null, calls: [], type, connectionParams: null }, urlOf, () =>
        requestSignal(request.raw, reply.raw),
      );
      // Ours builds synchronously; awaiting a plain value would still cost a turn of the microtask queue.
      const made = opts.createContext({ req: request, res: reply, info });
      ctx = isPromise(made) ? await made : made;
      // What `router.createCaller(ctx).<path>(input)` does, without building its proxies.
      const callerCtx = typeof ctx === "function" ? await ctx() : ctx;
      const rawInput = input;
      data = await callProcedure(proc, {
        path,
        getRawInput: async () => rawInput,
        readRawInput: () => rawInput,
        ctx: callerCtx,
        type,
        signals: NO_SIGNAL,
        batchIndex: 0,
      });
      const meta = opts.responseMeta?.({
        type,
        paths: [path],
        ctx,
        data: [data],
        errors: [],
        info,
        eagerGeneration: true,
      });
      return { status: meta?.status ?? 200, headers: meta?.headers ?? {}, body: data };
    } catch (cause) {
      const error = getErrorFromUnknown(cause);
      opts.onError?.({ error, type, path, input, ctx, req: request });
      const meta = opts.responseMeta?.({
        type,
        paths: [path],
        ctx,
        data: [data],
        errors: [error],
        info,
        eagerGeneration: true,
      });
      const shape = getErrorShape({ config: router._def._config, error, type, path, input, ctx: ctx as never });
      const isInputValidationError =
        error.code === "BAD_REQUEST" && error.cause instanceof Error && error.cause.name === "ZodError";
      const body = {
        ...shape,
        message: isInputValidationError
          ? "Input validation failed"
          : (shape?.message ?? error.message ?? "An error occurred"),
        code: error.code,
        issues: isInputValidationError ? (error.cause as unknown as { issues: unknown }).issues : undefined,
      };
      return {
        status: meta?.status ?? TRPC_ERROR_CODE_HTTP_STATUS[error.code] ?? 500,
        headers: meta?.headers ?? {},
        body,
      };
    }
  };
}
