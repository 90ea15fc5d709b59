import type { AnyRouter } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { z } from "zod";

/** How a subscription appears in the AsyncAPI document (`/api/asyncapi.json`). */
export interface AsyncApiMeta {
  summary: string;
  description?: string;
  /** What each event carries. */
  event: z.ZodType;
  /** Events carry an id, and the subscription takes `lastEventId` to resume after it. */
  tracked?: boolean;
}

/**
 * Procedure metadata. `openapi` exposes a procedure over REST; `successStatus`
 * is the REST status on success (201 created, 202 accepted, 204 no content);
 * `asyncapi` documents a subscription.
 */
export type Meta = OpenApiMeta<{ successStatus?: 200 | 201 | 202 | 204; asyncapi?: AsyncApiMeta }>;

/** `[procedure path, meta]` of every procedure of a router that has metadata. */
export function procedureMetas(router: AnyRouter): [string, Meta][] {
  return Object.entries(router._def.procedures).flatMap(([path, procedure]) => {
    const meta = (procedure as { _def: { meta?: Meta } })._def.meta;
    return meta ? [[path, meta] as [string, Meta]] : [];
  });
}
