import { AppError } from "../../errors.js";
import type { Deps } from "../../platform/deps.js";

/** Asks every dependency to answer; the first that does not makes the instance not ready. */
export async function checkReadiness(deps: Pick<Deps, "db">): Promise<Record<string, "ok">> {
  try {
    await deps.db.$queryRaw`SELECT 1`;
  } catch (cause) {
    throw new AppError("SERVICE_UNAVAILABLE", "The database does not answer", { cause });
  }
  return { database: "ok" };
}
