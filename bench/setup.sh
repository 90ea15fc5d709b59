#!/usr/bin/env bash
# Installs what the benchmark suite needs and the project does not: Debian's wrk, valgrind (for
# bench/instructions.mjs) and the FastAPI peer's Python stack (run with /usr/bin/python3, not
# whatever python3 is first on PATH), then the bench package's own npm dependencies from its lock file. Safe to run again: it installs only
# what is missing.
set -euo pipefail
bench_dir="$(cd "$(dirname "$0")" && pwd)"

debs=(wrk valgrind python3-fastapi python3-uvicorn python3-uvloop python3-httptools python3-sqlalchemy python3-asyncpg python3-jwt)
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""
  [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi
/usr/bin/python3 -c "import fastapi, uvicorn, uvloop, httptools, sqlalchemy, asyncpg, jwt"

# The bench is not a workspace of the root package: its own lock file, its own node_modules
# (installed again only when the lock file is newer than the last install).
if [[ ! -f "$bench_dir/node_modules/.package-lock.json" || "$bench_dir/package-lock.json" -nt "$bench_dir/node_modules/.package-lock.json" ]]; then
  npm ci --prefix "$bench_dir" --no-audit --no-fund
fi
echo "setup: done. Run: npm run bench (or node bench/run.mjs with a built server)"
