#!/usr/bin/env bash
# `npm run bench`: runs every benchmark script; each rewrites its own section of BENCHMARKS.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/node-lts.sh
bash scripts/bootstrap.sh
for script in bench/*.ts; do
  echo "[bench] $script" >&2
  npx ts-node --transpile-only "$script"
done
