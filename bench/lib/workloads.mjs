// What each workload means and which row it is measured against. A target says how it serves a
// workload in targets.mjs; this file says what the numbers are compared with.

/**
 * `baseline` names the row (target, or target:variant) whose ops/s in the same round is the
 * denominator of every ratio. `chart` puts the workload's ratios into chart-latest.svg.
 * `freshData`: the database is re-seeded before the workload in each round, because W4's writes add items
 * (the count and the newest-first page would get slower round by round).
 */
export const WORKLOADS = {
  w1: { title: "W1 trivial query", baseline: "fastify-route", chart: true },
  w2: {
    title: "W2 authenticated GET /api/v1/items?limit=20 (PostgreSQL, 10,000 items)",
    baseline: "fastapi",
    chart: true,
    freshData: true,
  },
  w3: { title: "W3 ten queries: one batched request vs ten requests (ops/s = queries/s)", baseline: "fastify-route" },
  w4: { title: "W4 validated write / echo", baseline: "fastify-route" },
};

/** The W4 echo body every peer validates (title 1..200, description string|null, price>=0, tags<=10, published). */
export const ECHO_BODY = {
  title: "A validated widget",
  description: null,
  price: 12.5,
  tags: ["bench", "echo", "w4"],
  published: true,
};

/**
 * One target's workload spec, normalised to a list of rows. A spec is an object or an array of
 * objects with `variant` (e.g. oRPC's rpc and openapi handlers on one server):
 * { variant?, method = "GET", path, body?, headers?, auth?: "bearer", opsPerRequest = 1, expect? }
 */
export function rowsOf(target, workloadId) {
  const spec = target.workloads[workloadId];
  if (!spec) return [];
  const list = Array.isArray(spec) ? spec : [spec];
  return list.map((s) => ({
    method: "GET",
    opsPerRequest: 1,
    headers: {},
    ...s,
    row: s.variant ? `${target.name}:${s.variant}` : target.name,
  }));
}

/** A GET path for `count` batched calls of one tRPC procedure (httpBatchLink's URL shape). */
export function trpcBatchPath(prefix, procedure, count) {
  const names = Array.from({ length: count }, () => procedure).join(",");
  return `${prefix}/${names}?batch=1&input=${encodeURIComponent("{}")}`;
}

/**
 * A row's request as it goes on the wire: the body as text (a string as it is, anything else as JSON)
 * and the headers, with `content-type: application/json` added to a body that names none.
 */
export function wireRequest({ body, headers = {} }) {
  if (body === undefined) return { body: undefined, headers };
  const named = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  return {
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: named ? headers : { ...headers, "content-type": "application/json" },
  };
}
