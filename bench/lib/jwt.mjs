// Signs the HS256 bearer tokens the W2 targets are called with. node:crypto is enough for HS256,
// and keeps a JWT library out of the bench's dependencies.
import { createHmac } from "node:crypto";

const base64url = (value) => Buffer.from(value).toString("base64url");

/** A compact HS256 JWT for `sub` (a user id, sent as a string as RFC 7519 wants), valid for `ttlSeconds`. */
export function signJwt({ sub, secret, ttlSeconds = 3600, claims = {} }) {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify({ sub: String(sub), iat: now, exp: now + ttlSeconds, ...claims }));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
