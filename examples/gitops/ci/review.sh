#!/usr/bin/env bash
# The pull request's review: writes review.md (posted as the PR comment), review.json and plan.json, the update
# plan `pulumi up --plan` applies on merge (only when the review succeeded). Exit 2 when the gate refused a
# promotion, 1 when the preview failed otherwise; the workflow posts the comment either way.
set -euo pipefail
: "${STACK:?set STACK to the stack to review}"
npx --no-install azureml-retrain-review --stack "$STACK" --md review.md --json review.json --save-plan "${PLAN:-plan.json}"
