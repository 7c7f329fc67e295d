#!/usr/bin/env bash
# Installs what the project needs on a fresh clone, and nothing when it is already there: a supported Node.js LTS
# (scripts/node-lts.sh), npm dependencies (npm ci when package-lock.json changed since the last install) and the
# Pulumi toolchain. Entry scripts source scripts/node-lts.sh themselves so that what they run uses the same node.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { echo "[bootstrap] $*" >&2; }

command -v npm >/dev/null 2>&1 || { log "error: npm is required (install Node.js and npm; any version that has npm)."; exit 1; }
source scripts/node-lts.sh

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1) node=$(node --version)"
stamp="node_modules/.bootstrap-lock-hash"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" > "$stamp"
else
  log "npm dependencies up to date"
fi

bash scripts/build-provider.sh
bash scripts/pulumi-toolchain.sh >/dev/null
