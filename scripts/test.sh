#!/usr/bin/env bash
# `npm test`: bootstrap, type-check everything (provider, emulator, examples, tests), then run every jest suite.
# Azurite and the emulators are started by the tests themselves. Extra arguments go to jest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/node-lts.sh
bash scripts/bootstrap.sh

echo "[test] type-checking (tsc --noEmit)" >&2
npx tsc -p tsconfig.json --noEmit

mkdir -p .state
results=".state/jest-results.json"
rm -f "$results"
status=0
npx jest --json --outputFile="$results" "$@" || status=$?

# One plain closing line that any CI log reader understands.
if [ -f "$results" ]; then
  node -e '
    const r = require(process.argv[1]);
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$root/$results"
fi
exit "$status"
