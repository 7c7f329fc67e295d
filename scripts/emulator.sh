#!/usr/bin/env bash
# `npm run emulator [-- flags]`: bootstrap, then Azurite and the emulator in the foreground (Ctrl-C stops both).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/node-lts.sh
bash scripts/bootstrap.sh
exec node -r ts-node/register/transpile-only emulator/server.ts "$@"
