import { AppError } from "../../errors.js";
import { Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../../platform/deps.js";
import { publicUserSelect } from "../users/schema.js";
import { hashToken, issueRefreshToken, revokeFamily } from "./refresh-tokens.js";
import { WELCOME_EMAIL_JOB } from "./welcome-email.js";

type AuthDeps = Pick<Deps, "db" | "clock" | "env" | "passwords" | "accessTokens">;

/** Creates the account and, in the same transaction, the job that sends its welcome email. */
export async function registerUser(
  { db, passwords, jobs }: Pick<Deps, "db" | "passwords" | "jobs">,
  input: { email: string; name: string; password: string },
) {
  const passwordHash = await passwords.hash(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: input.email, name: input.name, passwordHash },
        select: publicUserSelect,
      });
      await jobs.enqueue(WELCOME_EMAIL_JOB, { userId: user.id }, { db: tx });
      return user;
    });
  } catch (error) {
    // The unique index decides, not a prior lookup: two concurrent registrations cannot both win.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", "A user with this email already exists", { cause: error });
    }
    throw error;
  }
}

/** A valid argon2id hash of a random password: unknown emails cost as much time as wrong passwords. */
const DECOY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$qSx1ntFKGxmAYg3Nv9noDQ$GsBa4/q5H5yO3cZ6LxG3ngjkT3fUkrpjk7Xlmm3x82c";

export async function login(deps: AuthDeps & Pick<Deps, "rateLimiter">, input: { email: string; password: string }) {
  // Counted per account, not per IP: guessing one user's password from many addresses stalls too.
  const { env } = deps;
  const attempt = await deps.rateLimiter.hit(
    `login:${input.email}`,
    env.LOGIN_ATTEMPT_LIMIT,
    env.LOGIN_WINDOW_SECONDS * 1000,
  );
  if (!attempt.allowed) {
    const seconds = Math.ceil(attempt.retryAfterMs / 1000);
    throw new AppError("TOO_MANY_REQUESTS", `Too many sign-in attempts for this account; try again in ${seconds} s`);
  }
  const user = await deps.db.user.findUnique({
    where: { email: input.email },
    select: { id: true, passwordHash: true },
  });
  const valid = await deps.passwords.verify(user?.passwordHash ?? DECOY_HASH, input.password);
  if (!user || !valid) throw new AppError("UNAUTHORIZED", "Wrong email or password");
  return issueTokenPair(deps, user.id);
}

/**
 * Rotates a refresh token. A token that was already rotated (or revoked) is evidence that it was
 * stolen — either the thief or the user is replaying it — so the whole family is revoked.
 */
export async function refresh(deps: AuthDeps, refreshToken: string) {
  const stored = await deps.db.refreshToken.findUnique({ where: { tokenHash: hashToken(refreshToken) } });
  if (!stored) throw new AppError("UNAUTHORIZED", "Unknown refresh token");
  if (stored.usedAt || stored.revokedAt) {
    await revokeFamily(deps, stored.familyId);
    throw new AppError("UNAUTHORIZED", "Refresh token already used; every session of this login is revoked");
  }
  if (stored.expiresAt <= deps.clock.now()) throw new AppError("UNAUTHORIZED", "Refresh token expired");
  // Claim the token atomically: of two concurrent refreshes with one token, exactly one wins.
  const claimed = await deps.db.refreshToken.updateMany({
    where: { id: stored.id, usedAt: null, revokedAt: null },
    data: { usedAt: deps.clock.now() },
  });
  if (claimed.count !== 1) {
    await revokeFamily(deps, stored.familyId);
    throw new AppError("UNAUTHORIZED", "Refresh token already used; every session of this login is revoked");
  }
  return issueTokenPair(deps, stored.userId, stored.familyId);
}

/** Ends the login the token belongs to. Unknown tokens are ignored: logout is idempotent. */
export async function logout(deps: Pick<Deps, "db" | "clock">, refreshToken: string) {
  const stored = await deps.db.refreshToken.findUnique({
    where: { tokenHash: hashToken(refreshToken) },
    select: { familyId: true },
  });
  if (stored) await revokeFamily(deps, stored.familyId);
}

async function issueTokenPair(deps: AuthDeps, userId: number, familyId?: string) {
  const [accessToken, refreshToken] = await Promise.all([
    deps.accessTokens.sign({ userId }),
    issueRefreshToken(deps, userId, familyId),
  ]);
  return { accessToken, refreshToken, tokenType: "bearer" as const, expiresIn: deps.accessTokens.ttlSeconds };
}
