import {
  type createProcedureCache,
  forEachOpenApiProcedure,
  getPathRegExp,
  normalizePath,
  type OpenApiRouter,
} from "trpc-to-openapi";

type ProcedureLookup = ReturnType<typeof createProcedureCache>;
type Found = NonNullable<ReturnType<ProcedureLookup>>;
type Route = NonNullable<Found["procedure"]>;

interface Candidate {
  regExp: RegExp;
  route: Route;
  /** Whether the template has `{params}`: only then is `exec` needed for their values. */
  hasParams: boolean;
}

/** A template's `{param}`, as trpc-to-openapi's getPathRegExp finds them. */
const PARAM = /\{(.+?)\}/g;
/** Regular-expression syntax; a template with none outside its `{params}` matches only its own number of "/". */
const REGEXP_SYNTAX = /[\\^$.|?*+()[\]{}]/;

const slashesIn = (path: string) => {
  let count = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) count++;
  return count;
};

/** Characters a URL path keeps as they are (RFC 3986 pchar and "/"), so `new URL(...).pathname` would not change them. */
const PLAIN_PATH = /^\/[\w\-.~!$&'()*+,;=:@%/]*$/;

/**
 * The pathname `new URL(target).pathname` would give, for the common target it can be read from
 * directly: characters the URL parser leaves alone and no dot segments. Undefined otherwise.
 */
function pathnameOf(target: string): string | undefined {
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  if (!PLAIN_PATH.test(path) || path.includes("//") || /\/\.\.?(\/|$)|%2e/i.test(path)) return undefined;
  return path;
}

/** A request target as trpc-to-openapi's Node handler parses it (relative targets against 127.0.0.1). */
export function requestUrl(target: string): URL {
  return new URL(target.startsWith("/") ? `http://127.0.0.1${target}` : target);
}

/**
 * The path a request target is looked up by, read as trpc-to-openapi reads it (URL pathname, outer slashes
 * trimmed), without parsing a URL for the common plain target. Throws, as `new URL` does, on a target that
 * is not a URL.
 */
export function routePathOf(target: string): string {
  return normalizePath(pathnameOf(target) ?? requestUrl(target).pathname);
}

/**
 * trpc-to-openapi's REST route lookup (`createProcedureCache`), with the same answer for every method and
 * path, found by testing fewer regular expressions. The stock lookup copies the method's regular
 * expressions into a new array on each request and tests them in the order the procedures were declared
 * until one matches, then runs the matching one again for its parameters: its cost grows with the number
 * of routes, on every REST request.
 *
 * Here the candidates are grouped by the number of "/" in the path: each `{param}` matches `[^/]+` and the
 * rest of a template is literal text, so a template can only match a path with as many "/" as itself.
 * Templates with regular-expression syntax of their own (a "." matches a "/" too) are candidates for every
 * path. Within a group the declaration order is kept, so the first match is the stock lookup's first
 * match; the matching expression runs once. Hand-written: the lookup is trpc-to-openapi's internals, and
 * its answers (first declared wins, case-insensitive) are not what a general router such as find-my-way
 * gives (static before parametric).
 */
export function createRestRouteLookup(router: OpenApiRouter): ProcedureLookup {
  const byMethod = new Map<string, { bySlashes: Map<number, Candidate[]>; anywhere: Candidate[] }>();
  forEachOpenApiProcedure(router._def.procedures, ({ path, procedure, meta: { openapi } }) => {
    if (procedure._def.type === "subscription") return;
    const template = normalizePath(openapi.path);
    const literal = template.replace(PARAM, "");
    const candidate: Candidate = {
      regExp: getPathRegExp(template),
      route: { type: procedure._def.type as Route["type"], path, procedure },
      hasParams: literal !== template,
    };
    let routes = byMethod.get(openapi.method);
    if (!routes) {
      routes = { bySlashes: new Map(), anywhere: [] };
      byMethod.set(openapi.method, routes);
    }
    if (REGEXP_SYNTAX.test(literal)) {
      // A candidate everywhere: appended to every group made so far, and the groups made later start with it.
      routes.anywhere.push(candidate);
      for (const group of routes.bySlashes.values()) group.push(candidate);
      return;
    }
    const slashes = slashesIn(template);
    const group = routes.bySlashes.get(slashes);
    if (group) group.push(candidate);
    else routes.bySlashes.set(slashes, [...routes.anywhere, candidate]);
  });

  return (method, path) => {
    const routes = byMethod.get(method);
    if (!routes) return undefined;
    for (const { regExp, route, hasParams } of routes.bySlashes.get(slashesIn(path)) ?? routes.anywhere) {
      if (!hasParams) {
        if (regExp.test(path)) return { procedure: route, pathInput: {} };
        continue;
      }
      const match = regExp.exec(path);
      if (match) return { procedure: route, pathInput: match.groups ?? {} };
    }
    return undefined;
  };
}
