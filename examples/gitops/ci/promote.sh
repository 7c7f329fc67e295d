#!/usr/bin/env bash
# On merge: apply the plan the review saved, and nothing else. A model that landed (or a blob overwritten) after
# the review makes a different update, which the engine refuses ("violates plan") before any write. The plan flag
# is hidden from `pulumi up --help` unless PULUMI_EXPERIMENTAL is set, but works without it (CLI 3.276).
set -euo pipefail
: "${STACK:?set STACK to the stack to update}"
plan="${PLAN:-plan.json}"
if [ ! -s "$plan" ]; then
  echo "promote: no reviewed plan at $plan: run the review (ci/review.sh) on the merged commit and merge again." >&2
  exit 3
fi
if ! pulumi up --yes --skip-preview --non-interactive --stack "$STACK" --plan "$plan"; then
  echo "promote: the update did not match the reviewed plan, or failed. Nothing beyond the plan was written. Re-run the review and merge its plan." >&2
  exit 1
fi
