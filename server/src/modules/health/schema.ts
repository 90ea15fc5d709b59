import { z } from "zod";
import type { Meta } from "../../trpc/meta.js";

export const LiveOutput = z.object({ status: z.literal("ok") });
export const ReadyOutput = z.object({
  status: z.literal("ok"),
  checks: z.record(z.string(), z.literal("ok")),
});

export const liveMeta = {
  openapi: {
    protect: false,
    method: "GET",
    path: "/health",
    tags: ["health"],
    summary: "Liveness: the process answers",
  },
} satisfies Meta;
export const readyMeta = {
  openapi: {
    protect: false,
    method: "GET",
    path: "/ready",
    tags: ["health"],
    summary: "Readiness: the database (and Redis, if configured) answer",
    errorResponses: { 503: "A dependency does not answer" },
  },
} satisfies Meta;
