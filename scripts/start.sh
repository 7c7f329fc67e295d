#!/usr/bin/env bash
# `npm start`: bootstrap, then the retrain-and-promote walkthrough (scripts/start.ts).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/node-lts.sh
bash scripts/bootstrap.sh
exec node -r ts-node/register/transpile-only scripts/start.ts "$@"
