#!/usr/bin/env bash
# On merge: apply what the merged config declares. The backend's lock refuses a second concurrent run.
set -euo pipefail
: "${STACK:?set STACK to the stack to update}"
pulumi up --yes --skip-preview --non-interactive --stack "$STACK"
