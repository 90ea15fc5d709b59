// Running wrk (Debian's, as a separate process) and reading its output.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { wireRequest } from "./workloads.mjs";

const run = promisify(execFile);
const scriptDir = mkdtempSync(join(tmpdir(), "trellis-bench-"));
let scriptCount = 0;
process.once("exit", () => rmSync(scriptDir, { recursive: true, force: true }));

/**
 * Runs `wrk -t1 -c<connections> -d<seconds>s --latency` against one request. A method, body or
 * headers go through a generated Lua script, because wrk's command line only sets headers.
 * Resolves to the parsed numbers plus wrk's raw output.
 */
export async function runWrk({ url, method = "GET", body, headers = {}, seconds, connections = 50, pinCpu }) {
  const args = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency"];
  if (method !== "GET" || body !== undefined || Object.keys(headers).length > 0) {
    args.push("-s", writeScript({ method, body, headers }));
  }
  args.push(url);
  const [file, fileArgs] = pinCpu === undefined ? ["wrk", args] : ["taskset", ["-c", String(pinCpu), "wrk", ...args]];
  const { stdout, stderr } = await run(file, fileArgs, { timeout: (seconds + 30) * 1000 });
  // wrk reports a broken Lua script on stderr and then runs anyway, without it.
  if (stderr.trim()) throw new Error(`wrk: ${stderr.trim()}`);
  return { ...parseWrk(stdout), raw: stdout };
}

function writeScript({ method, ...request }) {
  const { body, headers } = wireRequest(request);
  const lines = [`wrk.method = ${luaString(method)}`];
  if (body !== undefined) lines.push(`wrk.body = ${luaString(body)}`);
  for (const [name, value] of Object.entries(headers))
    lines.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
  const path = join(scriptDir, `request-${++scriptCount}.lua`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

// A Lua long string needs no escaping; the level grows until the text cannot close it. Used as a
// table key it needs spaces around it, since "[[[" would open a long string.
function luaString(text) {
  let level = "";
  while (text.includes(`]${level}]`)) level += "=";
  return `[${level}[${text}]${level}]`;
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`wrk: cannot read duration "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** Requests/sec, p50/p99 latency (ms), total requests, non-2xx/3xx responses and socket errors. */
export function parseWrk(out) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  if (!rps || !p50 || !p99) throw new Error(`wrk: unexpected output\n${out}`);
  const requests = /(\d+) requests in/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(rps[1]),
    p50Ms: toMs(p50[1]),
    p99Ms: toMs(p99[1]),
    requests: requests ? Number(requests[1]) : null,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sock ? sock.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    // wrk counts a request unanswered after 2 s as a timeout: telling those apart from resets matters.
    timeouts: sock ? Number(sock[4]) : 0,
  };
}
