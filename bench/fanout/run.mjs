#!/usr/bin/env node
// Fan-out benchmark (issue 3): N WebSocket subscribers in one room, messages posted over REST at a
// steady rate; measures delivery rate, delivery latency (post issued → event parsed by a subscriber),
// loss/duplication/order per subscriber, and the server's RSS per idle connection. One instance, or
// two instances sharing PostgreSQL and Redis (subscribers split across them, posts sent to the first).
//
//   node bench/fanout/run.mjs [--subscribers 1000] [--rate 100] [--duration 20] [--instances 1,2] [--no-append]
//
// `--instances 1,2` (the default) measures one instance, then two with Redis, and appends both rows
// to BENCHMARKS.md as one section.
//
// Needs PostgreSQL and Redis on 127.0.0.1 (as .ci/run ensures) and the root `npm install`; builds the
// server first (the servers run server/dist/main.js, as production does).
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";

const root = path.resolve(import.meta.dirname, "../..");
execFileSync("npx", ["turbo", "run", "build", "--filter=@trellis/server", "--output-logs=errors-only"], {
  cwd: root,
  stdio: "inherit",
});
const { values: args } = parseArgs({
  options: {
    subscribers: { type: "string", default: "1000" },
    rate: { type: "string", default: "100" },
    duration: { type: "string", default: "20" },
    warmup: { type: "string", default: "3" },
    instances: { type: "string", default: "1,2" },
    postgres: {
      type: "string",
      default: process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    },
    redis: { type: "string", default: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379" },
    "no-append": { type: "boolean", default: false },
    /** Passed to the servers as WS_FLUSH_INTERVAL_MS (default: the server's default, 40). */
    "flush-ms": { type: "string", default: "40" },
    /** Write a V8 CPU profile of each server to bench/fanout/results/ (node --cpu-prof). */
    profile: { type: "boolean", default: false },
  },
});
const N = Number(args.subscribers);
const RATE = Number(args.rate);
const DURATION_S = Number(args.duration);
const WARMUP_S = Number(args.warmup);
const CONFIGURATIONS = args.instances.split(",").map(Number);
const ROOM = "fanout";

const log = (...parts) => console.error(`[fanout] ${parts.join(" ")}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowUs = () => Math.round(performance.now() * 1000);

// ---------- services and servers ----------

function psql(sql) {
  execFileSync("psql", [args.postgres, "-v", "ON_ERROR_STOP=1", "-qc", sql], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

function startInstance(env) {
  const profiling = args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(import.meta.dirname, "results")}`] : [];
  const child = spawn(process.execPath, [...profiling, "--expose-gc", "bench/fanout/server-with-gc.mjs"], {
    cwd: root,
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const url = output.match(/listening on (http:\/\/[\d.]+:\d+)/)?.[1];
      if (!url) return;
      child.stdout.off("data", onData);
      child.stdout.resume();
      children.add(child);
      child.once("exit", () => children.delete(child));
      resolve({ url, child, pid: child.pid });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
}

function stopInstance(instance) {
  return new Promise((resolve) => {
    instance.child.once("exit", resolve);
    instance.child.kill("SIGTERM");
  });
}

/** Resident memory of a process after a full garbage collection (see server-with-gc.mjs), in bytes. */
async function settledRssOf(pid) {
  process.kill(pid, "SIGUSR2");
  await sleep(1000);
  return rssOf(pid);
}

/** Resident memory of a process, in bytes. */
function rssOf(pid) {
  const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return Number(match?.[1] ?? 0) * 1024;
}

/** Busy and total CPU ticks of the whole machine so far (all cores), from /proc/stat. */
function machineTicks() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const ticks = fields.map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  return { busy: total - ticks[3] - ticks[4], total };
}

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU seconds (user + system) a process has used so far. */
function cpuSecondsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function api(base, method, pathname, body, token) {
  const response = await fetch(`${base}/api${pathname}`, {
    method,
    // An overloaded server must not keep the run going for minutes: a slow POST counts as failed.
    signal: AbortSignal.timeout(15_000),
    headers: {
      ...(body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${pathname}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// ---------- subscribers: raw tRPC-over-WebSocket clients, cheap to run a thousand of ----------

/** One subscriber: connects, authenticates, subscribes, then records the send timestamp of each message. */
/**
 * Once subscribed, a subscriber reads its socket itself instead of through ws's receiver: a thousand
 * clients in one process decoding 100,000 frames a second through ws took most of a core, which the
 * server on the same 2 cores then lacked (clients of a real deployment are elsewhere). The server
 * sends only unmasked, unfragmented text frames here (RFC 6455 §5.2); frames split across reads are
 * kept until complete. Sending (PONG) still goes through ws. Hand-written: ws has no raw-frame API.
 */
function readFramesDirectly(socket, onFrame) {
  const raw = socket._socket;
  raw.removeAllListeners("data");
  let pending = null;
  raw.on("data", (chunk) => {
    const buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    while (buffer.length - offset >= 2) {
      let length = buffer[offset + 1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buffer.length - offset < 10) break;
        length = Number(buffer.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (buffer.length - offset < header + length) break;
      if ((buffer[offset] & 0x0f) === 1) onFrame(buffer.subarray(offset + header, offset + header + length));
      offset += header + length;
    }
    pending = offset < buffer.length ? buffer.subarray(offset) : null;
  });
}

const TEXT_KEY = Buffer.from('"text":"');
const ID_KEY = Buffer.from('"id":"');
const CREATED_AT_KEY = Buffer.from('"createdAt":"');
/** Per message (by seq): when its INSERT started, by the database clock, in ms. */
const insertedAtOf = new Map();

function subscribe(base, token, onEvent) {
  return new Promise((resolve, reject) => {
    // The server sends valid UTF-8 (checked by the e2e tests); validating it again here would cost the
    // load generator CPU that the server on the same 2 cores then lacks.
    const socket = new WebSocket(`${base.replace("http", "ws")}/trpc?connectionParams=1`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const state = { socket, received: 0, lastId: -1, outOfOrder: 0, duplicates: 0 };
    socket.once("error", reject);
    socket.once("open", () => {
      socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
      socket.send(
        JSON.stringify({
          id: 1,
          method: "subscription",
          params: { path: "rooms.onMessage", input: { json: { room: ROOM } } },
        }),
      );
    });
    let started = false;
    const onFrame = (data) => {
      if (data.length === 4 && data.toString("latin1") === "PING") return socket.send("PONG");
      // The text is "<seq> <µs timestamp>".
      const at = data.indexOf(TEXT_KEY);
      if (at < 0) {
        if (data.indexOf('"error"') >= 0) reject(new Error(data.toString()));
        return;
      }
      const from = at + TEXT_KEY.length;
      const space = data.indexOf(0x20, from);
      const seq = Number(data.toString("latin1", from, space));
      const sentUs = Number(data.toString("latin1", space + 1, data.indexOf(0x22, space)));
      // The event id (the message's number in the room) must grow by exactly one each time.
      const idAt = data.indexOf(ID_KEY) + ID_KEY.length;
      const id = Number(data.toString("latin1", idAt, data.indexOf(0x22, idAt)));
      if (id <= state.lastId) state.duplicates++;
      else if (state.lastId >= 0 && id !== state.lastId + 1) state.outOfOrder++;
      state.lastId = Math.max(state.lastId, id);
      state.received++;
      // The message's createdAt comes from the database clock (same machine) when its INSERT started;
      // the same for every subscriber of a message, so parsed once per message.
      let insertedAt = insertedAtOf.get(seq);
      if (insertedAt === undefined) {
        const atAt = data.indexOf(CREATED_AT_KEY) + CREATED_AT_KEY.length;
        insertedAt = Date.parse(data.toString("latin1", atAt, data.indexOf(0x22, atAt)));
        insertedAtOf.set(seq, insertedAt);
      }
      onEvent(seq, nowUs() - sentUs, Date.now() - insertedAt);
    };
    socket.on("message", (data) => {
      if (started) return onFrame(data);
      const frame = data.toString();
      if (frame === "PING") return socket.send("PONG");
      if (frame.includes('"error"')) return reject(new Error(frame));
      if (!frame.includes('"type":"started"')) return;
      started = true;
      readFramesDirectly(socket, onFrame);
      resolve(state);
    });
  });
}

// ---------- the run ----------

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(instanceCount) {
  insertedAtOf.clear(); // each configuration numbers its messages from 0
  const dbName = `trellis_fanout_${randomUUID().slice(0, 8)}`;
  psql(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(args.postgres);
  dbUrl.pathname = `/${dbName}`;
  const env = {
    NODE_ENV: "production",
    JWT_SECRET: `bench-${randomUUID()}-${randomUUID()}`,
    SEED_ADMIN_PASSWORD: randomUUID(),
    DATABASE_URL: dbUrl.toString(),
    ROOM_SEND_LIMIT: "1000000",
    WS_FLUSH_INTERVAL_MS: args["flush-ms"],
    ...(instanceCount > 1 ? { REDIS_URL: args.redis, REDIS_KEY_PREFIX: `fanout-${randomUUID()}:` } : {}),
  };
  const instances = [];
  try {
    for (let i = 0; i < instanceCount; i++) instances.push(await startInstance(env)); // one at a time: the first migrates
    const [first] = instances;
    const email = `fanout-${randomUUID()}@example.com`;
    const password = "correct horse battery";
    await api(first.url, "POST", "/v1/auth/register", { email, name: "Fan-out", password });
    const { accessToken } = await api(first.url, "POST", "/v1/auth/login", { email, password });
    await sleep(1000);
    const rssBefore = await Promise.all(instances.map((instance) => settledRssOf(instance.pid)));

    // Connect in batches; subscribers alternate between instances.
    let measuring = false;
    const latenciesUs = [];
    const sinceInsert = [];
    const subscribers = [];
    log(`connecting ${N} subscribers to ${instanceCount} instance(s)`);
    for (let i = 0; i < N; i += 50) {
      const batch = [];
      for (let j = i; j < Math.min(N, i + 50); j++) {
        batch.push(
          subscribe(instances[j % instanceCount].url, accessToken, (_seq, latency, sinceInsertMs) => {
            if (!measuring) return;
            latenciesUs.push(latency);
            sinceInsert.push(sinceInsertMs);
          }),
        );
      }
      subscribers.push(...(await Promise.all(batch)));
    }
    await sleep(1000);
    const rssIdle = await Promise.all(instances.map((instance) => settledRssOf(instance.pid)));
    const perConnectionKB = instances.map((_, k) => {
      const count = subscribers.filter((_, j) => j % instanceCount === k).length;
      return (rssIdle[k] - rssBefore[k]) / count / 1024;
    });
    log(`connected; RSS per idle connection: ${perConnectionKB.map((kb) => kb.toFixed(1)).join(", ")} KB`);

    // Post at a steady rate, scheduled on absolute times so slow answers do not lower the rate.
    const total = Math.round(RATE * (WARMUP_S + DURATION_S));
    const warmupCount = Math.round(RATE * WARMUP_S);
    const postLatencies = [];
    let postErrors = 0;
    const posts = [];
    const cpuStart = {
      server: instances.map((instance) => cpuSecondsOf(instance.pid)),
      bench: process.cpuUsage(),
      machine: machineTicks(),
    };
    let measuredStart = 0;
    const start = performance.now();
    for (let seq = 0; seq < total; seq++) {
      const due = start + (seq * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      if (seq === warmupCount) {
        measuring = true;
        measuredStart = performance.now();
        cpuStart.server = instances.map((instance) => cpuSecondsOf(instance.pid));
        cpuStart.bench = process.cpuUsage();
        cpuStart.machine = machineTicks();
      }
      const sentUs = nowUs();
      posts.push(
        api(first.url, "POST", `/v1/rooms/${ROOM}/messages`, { text: `${seq} ${sentUs}` }, accessToken).then(
          () => {
            if (seq >= warmupCount) postLatencies.push((nowUs() - sentUs) / 1000);
          },
          (error) => {
            if (postErrors++ < 3)
              log(`POST failed: ${String(error).slice(0, 200)} ${String(error?.cause ?? "").slice(0, 200)}`);
          },
        ),
      );
    }
    await Promise.all(posts);
    // Let the last events arrive (bounded), then stop measuring.
    const deadline = performance.now() + 10_000;
    while (subscribers.some((s) => s.received < total) && performance.now() < deadline) await sleep(50);
    const measuredMs = performance.now() - measuredStart;
    measuring = false;
    const machineEnd = machineTicks();
    const cpu = {
      machineBusy: (machineEnd.busy - cpuStart.machine.busy) / (machineEnd.total - cpuStart.machine.total),
      server: instances.map((instance, k) => cpuSecondsOf(instance.pid) - cpuStart.server[k]),
      bench: (() => {
        const used = process.cpuUsage(cpuStart.bench);
        return (used.user + used.system) / 1e6;
      })(),
    };

    const expected = total * N;
    const received = subscribers.reduce((sum, s) => sum + s.received, 0);
    const sorted = latenciesUs.sort((a, b) => a - b).map((us) => us / 1000);
    postLatencies.sort((a, b) => a - b);
    const result = {
      date: new Date().toISOString(),
      instances: instanceCount,
      subscribers: N,
      ratePerSecond: RATE,
      flushIntervalMs: Number(args["flush-ms"]),
      durationSeconds: DURATION_S,
      messagesPosted: total,
      postErrors,
      deliveries: { expected, received, lost: expected - received },
      duplicates: subscribers.reduce((sum, s) => sum + s.duplicates, 0),
      outOfOrder: subscribers.reduce((sum, s) => sum + s.outOfOrder, 0),
      deliveredPerSecond: Math.round(sorted.length / (measuredMs / 1000)),
      latencyMs: {
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: sorted.at(-1),
      },
      postLatencyMs: { p50: percentile(postLatencies, 50), p99: percentile(postLatencies, 99) },
      /** From the message's createdAt (its INSERT, database clock, ms) to a subscriber: lock wait, commit, publish, fan-out. */
      insertToSubscriberMs: (() => {
        const sortedInsert = sinceInsert.sort((a, b) => a - b);
        return { p50: percentile(sortedInsert, 50), p99: percentile(sortedInsert, 99) };
      })(),
      rssPerIdleConnectionKB: perConnectionKB.map((kb) => Math.round(kb * 10) / 10),
      rssMiB: { before: rssBefore.map(toMiB), idleConnected: rssIdle.map(toMiB) },
      cpuSecondsPerSecond: {
        servers: cpu.server.map((s) => Math.round((s / (measuredMs / 1000)) * 100) / 100),
        loadGenerator: Math.round((cpu.bench / (measuredMs / 1000)) * 100) / 100,
      },
      /** Share of the machine's cores busy during the measured run (everything: servers, load, PostgreSQL, Redis, others). */
      machineBusyPercent: Math.round(cpu.machineBusy * 100),
      machine: {
        cpu: /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1],
        cores: os.cpus().length,
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
        node: process.version,
        commit: execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim(),
      },
    };
    for (const s of subscribers) s.socket.terminate();
    console.log(JSON.stringify(result, null, 2));
    const dir = path.join(import.meta.dirname, "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, `${result.date.replace(/[:.]/g, "-")}-${instanceCount}x.json`),
      JSON.stringify(result, null, 2),
    );
    return result;
  } finally {
    await Promise.all(instances.map(stopInstance));
    psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

const toMiB = (bytes) => Math.round(bytes / 2 ** 20);

// Interrupted: stop the servers this run started (their own shutdown drops nothing else).
const children = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    for (const child of children) child.kill("SIGTERM");
    process.exit(130);
  });
}

function appendToBenchmarks(results) {
  const file = path.join(root, "BENCHMARKS.md");
  const fmt = (ms) => (Number.isFinite(ms) ? ms.toFixed(1) : "–");
  const first = results[0];
  let text =
    `\n## Fan-out (issue 3) — ${first.date.slice(0, 16).replace("T", " ")} UTC\n\n` +
    `- Machine: ${first.machine.cpu}, ${first.machine.cores} cores; node ${first.machine.node}; commit ${first.machine.commit}\n` +
    `- Server: NODE_ENV=production, WS_FLUSH_INTERVAL_MS=${first.flushIntervalMs}; ${first.durationSeconds} s measured after a warm-up\n` +
    "- Method: `node bench/fanout/run.mjs` — raw tRPC WebSocket subscribers (the `ws` package, all in one load-generator\n" +
    "  process) in one room; messages posted with `POST /api/v1/rooms/{room}/messages` at a steady rate, after a warm-up.\n" +
    "  Latency: from just before the POST is issued to the event parsed by a subscriber (so it includes the HTTP request,\n" +
    "  the database transaction and the publish); insert→subscriber: from the message's createdAt (the INSERT statement's start on the database clock, ms) to\n" +
    "  the subscriber: the room lock wait, commit, publish and fan-out, without the HTTP request. With two instances, subscribers alternate between them, posts go to the\n" +
    "  first, and the second's subscribers are served through Redis. RSS per idle connection: (server RSS with the\n" +
    "  subscribers connected and idle − RSS before) ÷ subscribers on it. PostgreSQL and Redis are local.\n" +
    "- The load generator shares the 2 cores with the server(s), PostgreSQL and Redis: its CPU is reported, and on this\n" +
    "  machine it competes with what it measures.\n\n" +
    "| instances | subscribers | rate msg/s | delivered/s | undelivered 10 s after the last post | dup | out of order | p50 ms | p90 ms | p99 ms | max ms | POST p99 ms | POSTs failed (15 s timeout) | insert→subscriber p50 / p99 ms | KB RSS / idle conn | server CPU s/s | load-gen CPU s/s | machine busy | load avg after |\n" +
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const r of results) {
    text +=
      `| ${r.instances}${r.instances > 1 ? " (Redis)" : ""} | ${r.subscribers} | ${r.ratePerSecond} | ` +
      `${r.deliveredPerSecond} | ${r.deliveries.lost} | ${r.duplicates} | ${r.outOfOrder} | ${fmt(r.latencyMs.p50)} | ${fmt(r.latencyMs.p90)} | ` +
      `${fmt(r.latencyMs.p99)} | ${fmt(r.latencyMs.max)} | ${fmt(r.postLatencyMs.p99)} | ${r.postErrors} | ${r.insertToSubscriberMs.p50} / ${r.insertToSubscriberMs.p99} | ${r.rssPerIdleConnectionKB.join(" / ")} | ` +
      `${r.cpuSecondsPerSecond.servers.join(" + ")} | ${r.cpuSecondsPerSecond.loadGenerator} | ${r.machineBusyPercent}% | ${r.machine.loadAverage.join(" ")} |\n`;
  }
  appendFileSync(file, text);
}

const results = [];
for (const count of CONFIGURATIONS) results.push(await measure(count));
if (!args["no-append"]) appendToBenchmarks(results);
