#!/usr/bin/env bash
# Installs what the project needs on a fresh clone, and nothing when it is already there:
# npm dependencies (npm ci when node_modules is missing or older than package-lock.json) and the Pulumi toolchain.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { echo "[bootstrap] $*" >&2; }

command -v node >/dev/null 2>&1 || { log "error: Node.js 20 or newer is required (node not found on PATH)."; exit 1; }
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || { log "error: Node.js $(node --version) is too old; install Node.js 20 or newer."; exit 1; }

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.bootstrap-lock-hash"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" > "$stamp"
else
  log "npm dependencies up to date"
fi

bash scripts/pulumi-toolchain.sh >/dev/null
