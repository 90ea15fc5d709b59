import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Deps } from "../../platform/deps.js";

/** Only the SHA-256 of a refresh token is stored: a database leak yields no usable token. */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Issues a new refresh token in `familyId` (one family = one login and all its rotations). */
export async function issueRefreshToken(
  { db, clock, env }: Pick<Deps, "db" | "clock" | "env">,
  userId: number,
  familyId: string = randomUUID(),
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(clock.now().getTime() + env.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await db.refreshToken.create({ data: { tokenHash: hashToken(token), familyId, userId, expiresAt } });
  return token;
}

/** Revokes every token of a family that is not revoked yet. */
export async function revokeFamily({ db, clock }: Pick<Deps, "db" | "clock">, familyId: string) {
  await db.refreshToken.updateMany({
    where: { familyId, revokedAt: null },
    data: { revokedAt: clock.now() },
  });
}
