import { z } from "zod";
import { router } from "../../trpc/init.js";
import { publicProcedure } from "../../trpc/procedures.js";
import { LiveOutput, liveMeta, ReadyOutput, readyMeta } from "./schema.js";
import { checkReadiness } from "./service.js";

export const healthRouter = router({
  live: publicProcedure
    .meta(liveMeta)
    .input(z.void())
    .output(LiveOutput)
    .query(() => ({ status: "ok" as const })),
  ready: publicProcedure
    .meta(readyMeta)
    .input(z.void())
    .output(ReadyOutput)
    .query(async ({ ctx }) => ({ status: "ok" as const, checks: await checkReadiness(ctx.deps) })),
});
