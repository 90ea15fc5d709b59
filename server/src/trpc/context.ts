import type { IncomingHttpHeaders } from "node:http";
import { AppError } from "../errors.js";
import { newRequestId } from "../http/request-ids.js";
import type { AuthUser } from "../modules/auth/callers.js";
import type { Deps } from "../platform/deps.js";
import type { HandOff } from "../platform/events/hand-off.js";
import { bearerTokenOf, readHeader } from "./headers.js";

export type { AuthUser };

/** One WebSocket connection: a single context serves every call made on it. */
export interface LiveConnection {
  /** Subscriptions open on this connection now, and the most it may have. */
  subscriptions: number;
  readonly maxSubscriptions: number;
  /** Offers a subscription to write its live events straight to the socket (platform/events/hand-off.ts). */
  handOff<T>(idOf: (event: T) => string | number): HandOff<T>;
}

export interface Context {
  deps: Deps;
  requestId: string;
  /** Set on WebSocket connections only. */
  connection?: LiveConnection;
  /** The caller, looked up once per request however many procedures a batch runs; UNAUTHORIZED if none. */
  authenticate(): Promise<AuthUser>;
  /** When the caller's access token expires; UNAUTHORIZED if there is no valid one. */
  credentialsExpireAt(): Promise<Date>;
}

/** What every transport can give us about the request. */
export interface ContextSource {
  headers: Headers | IncomingHttpHeaders;
  /** Fastify's request id (it honours an incoming `x-request-id`). */
  requestId?: string;
  /** WebSocket `connectionParams`; the token travels there instead of a header. */
  connectionParams?: Record<string, string | undefined> | null;
  connection?: LiveConnection;
}

/** Builds contexts for one set of dependencies: one call per HTTP request or WebSocket connection. */
export function createContextFactory(deps: Deps) {
  return (source: ContextSource): Context => {
    const token = source.connectionParams?.token ?? bearerTokenOf(readHeader(source.headers, "authorization"));
    let memo: Promise<Session> | undefined;
    // An HTTP context lives for one request: look the caller up once, however many calls its batch has.
    // A WebSocket context lives as long as the connection, possibly hours: authenticate every
    // subscription afresh, so an expired token, a deleted user or a demotion applies to the next one.
    const session = () => {
      if (source.connection) return authenticate(deps, token);
      memo ??= authenticate(deps, token);
      return memo;
    };
    return {
      deps,
      requestId: source.requestId ?? readHeader(source.headers, "x-request-id") ?? newRequestId(),
      connection: source.connection,
      authenticate: () => session().then(({ user }) => user),
      credentialsExpireAt: () => session().then(({ expiresAt }) => expiresAt),
    };
  };
}

interface Session {
  user: AuthUser;
  expiresAt: Date;
}

// The account is looked up (briefly remembered, see callers.ts) rather than trusted from the token, so a
// deleted user or a changed role applies long before the access token expires.
async function authenticate(deps: Deps, token: string | undefined): Promise<Session> {
  if (!token) throw new AppError("UNAUTHORIZED", "Missing bearer token");
  const claims = await deps.accessTokens.verify(token);
  if (!claims) throw new AppError("UNAUTHORIZED", "Invalid or expired access token");
  const user = await deps.callers.find(claims.userId);
  if (!user) throw new AppError("UNAUTHORIZED", "The account of this token no longer exists");
  return { user, expiresAt: claims.expiresAt };
}
