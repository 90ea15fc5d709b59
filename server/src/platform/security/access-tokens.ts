import { createSecretKey } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import type { Clock } from "../clock.js";

export interface AccessTokenClaims {
  userId: number;
}

/** What a valid token says, and when it stops being valid (live connections end then). */
export interface VerifiedAccessToken extends AccessTokenClaims {
  expiresAt: Date;
}

/** Short-lived HS256 JWTs. Revocation is the refresh token's job, so these stay stateless. */
export interface AccessTokens {
  readonly ttlSeconds: number;
  sign(claims: AccessTokenClaims): Promise<string>;
  /** The claims, or null for a token that is malformed, forged, expired or not ours. */
  verify(token: string): Promise<VerifiedAccessToken | null>;
}

export function createAccessTokens(opts: {
  secret: string;
  issuer: string;
  ttlSeconds: number;
  clock: Clock;
}): AccessTokens {
  // A KeyObject made once: jose would otherwise import the raw secret into WebCrypto on every call.
  const key = createSecretKey(Buffer.from(opts.secret, "utf8"));
  const nowSeconds = () => Math.floor(opts.clock.now().getTime() / 1000);
  return {
    ttlSeconds: opts.ttlSeconds,
    sign: ({ userId }) =>
      new SignJWT({ typ: "access" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(String(userId))
        .setIssuer(opts.issuer)
        .setIssuedAt(nowSeconds())
        .setExpirationTime(nowSeconds() + opts.ttlSeconds)
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          issuer: opts.issuer,
          currentDate: opts.clock.now(),
        });
        const userId = Number(payload.sub);
        if (payload.typ !== "access" || !Number.isSafeInteger(userId) || payload.exp === undefined) return null;
        return { userId, expiresAt: new Date(payload.exp * 1000) };
      } catch (error) {
        if (error instanceof errors.JOSEError) return null;
        throw error;
      }
    },
  };
}
