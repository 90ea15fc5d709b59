import { AppError } from "../../errors.js";
import type { Deps } from "../../platform/deps.js";
import { withTimeout } from "../../platform/with-timeout.js";

/** Asks every dependency to answer; the first that does not makes the instance not ready. */
export async function checkReadiness(deps: Pick<Deps, "db" | "bus">): Promise<Record<string, "ok">> {
  const checks: Record<string, "ok"> = {};
  try {
    await deps.db.$queryRaw`SELECT 1`;
    checks.database = "ok";
  } catch (cause) {
    throw new AppError("SERVICE_UNAVAILABLE", "The database does not answer", { cause });
  }
  // Without Redis, live messages would reach only this instance's subscribers: not ready.
  if (deps.bus.driver === "redis") {
    try {
      await withTimeout(deps.bus.ping(), 2000);
      checks.redis = "ok";
    } catch (cause) {
      throw new AppError("SERVICE_UNAVAILABLE", "Redis does not answer", { cause });
    }
  }
  return checks;
}
