import type { IncomingMessage } from "node:http";
import { createURL } from "@trpc/server/adapters/node-http";

/** Host headers `new URL` accepted already; bounded, so that random hosts cannot grow it. */
const validHosts = new Set<string>();
const MAX_HOSTS = 64;
/** The last host found valid: most requests name the same one, and comparing it costs less than hashing it. */
let lastValidHost: string | undefined;

function isKnownValidHost(host: string): boolean {
  if (host === lastValidHost) return true;
  if (!validHosts.has(host)) return false;
  lastValidHost = host;
  return true;
}

/** Remembers a host `createURL` accepted, while there is room. */
function rememberValidHost(host: string): void {
  if (validHosts.size < MAX_HOSTS) validHosts.add(host);
}

/**
 * The query of a request as tRPC reads it, `createURL(req).searchParams`, without parsing a URL
 * per request: for an origin-form target ("/path?query", no fragment) the URL parser would only
 * percent-encode characters that URLSearchParams decodes again. What tRPC's `createURL` rejects (a
 * Host that makes no valid URL) is found once per host, by `createURL` itself. Null: the URL is
 * invalid, and tRPC answers 400.
 */
export function searchParamsOf(req: IncomingMessage): URLSearchParams | null {
  const target = req.url ?? "/";
  const host = req.headers.host ?? "";
  const simple = target.startsWith("/") && !target.startsWith("//") && !target.includes("#");
  if (!simple || !isKnownValidHost(host)) {
    try {
      const url = createURL(req);
      if (simple) rememberValidHost(host);
      return url.searchParams;
    } catch {
      return null;
    }
  }
  const query = target.indexOf("?");
  return new QueryView(query === -1 ? "" : target.slice(query + 1)) as unknown as URLSearchParams;
}

/**
 * `URLSearchParams.get`/`has` over a query string, decoding only the values asked for (tRPC asks for
 * two or three). `decodeURIComponent` decodes well-formed escapes as URLSearchParams does; anything
 * else (a stray "%", invalid UTF-8) goes to URLSearchParams itself.
 */
class QueryView {
  private pairs: string[] | undefined;
  constructor(private readonly query: string) {}

  private raw(name: string): string | null {
    if (this.query === "") return null;
    this.pairs ??= this.query.split("&");
    for (const pair of this.pairs) {
      const eq = pair.indexOf("=");
      const key = eq === -1 ? pair : pair.slice(0, eq);
      if (decodeComponent(key) === name) return eq === -1 ? "" : pair.slice(eq + 1);
    }
    return null;
  }

  get(name: string): string | null {
    const value = this.raw(name);
    if (value === null) return null;
    const decoded = decodeComponent(value);
    return decoded ?? new URLSearchParams(this.query).get(name);
  }

  /** A name with a malformed escape decodes to something with a "%" in it, never to a plain name. */
  has(name: string): boolean {
    return this.raw(name) !== null;
  }
}

/** application/x-www-form-urlencoded decoding of one name or value; undefined if it needs URLSearchParams. */
function decodeComponent(text: string): string | undefined {
  const plus = text.includes("+") ? text.replaceAll("+", " ") : text;
  if (!plus.includes("%")) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return undefined;
  }
}

/**
 * Throws what `createURL(req)` throws (a 400 "Invalid URL") for a request whose URL it cannot
 * build; the stock REST handler builds one for every request and fails there.
 */
export function assertValidUrl(req: IncomingMessage): void {
  const target = req.url ?? "/";
  const host = req.headers.host ?? "";
  if (isKnownValidHost(host) && target.startsWith("/") && !target.startsWith("//")) return;
  createURL(req);
  rememberValidHost(host);
}

/** `createURL(req)`, or null where tRPC's adapters would have failed on the URL. */
export function urlOrNull(req: IncomingMessage): URL | null {
  try {
    return createURL(req);
  } catch {
    return null;
  }
}
