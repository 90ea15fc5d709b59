import type { Env } from "../env.js";
import { limitHeapGrowth } from "./heap-growth.js";
import { warmNextTick } from "./next-tick-warmup.js";
import { stopPretenuring } from "./pretenuring.js";

/**
 * What the Node process gets before the server is built: the heap-growth cap, no pretenuring,
 * and the nextTick warm-up. main.ts calls it, and so does every benchmark peer that builds the
 * server itself, so that they measure the process `npm start` runs.
 */
export async function prepareRuntime(env: Pick<Env, "HEAP_GROWTH_PERCENT">): Promise<void> {
  limitHeapGrowth(env.HEAP_GROWTH_PERCENT);
  stopPretenuring();
  await warmNextTick();
}
