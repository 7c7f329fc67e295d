#!/usr/bin/env bash
# Builds the provider package (dist/provider) when a source is newer than the build, and links the repository
# into its own node_modules under the package name. The provider stubs in state load the implementation as
# require("pulumi-azureml-retrain/lifecycle/…") from the program's folder (issue 8); inside this repository
# that resolves through the link to the fresh build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
marker="dist/provider/index.js"
if [ ! -f "$marker" ] || [ -n "$(find provider tsconfig.json tsconfig.build.json -newer "$marker" -name '*.ts' -o -newer "$marker" -name '*.json' | head -1)" ]; then
  echo "[build] provider → dist/provider" >&2
  rm -rf dist/provider
  npx tsc -p tsconfig.build.json
  touch "$marker"
fi
link="node_modules/pulumi-azureml-retrain"
if [ ! -L "$link" ]; then
  rm -rf "$link"
  ln -s .. "$link"
fi
# The emulator is not part of the package (its server stack stays a dev dependency); its bin stays usable in
# the repository as `npx azureml-emulator`.
mkdir -p node_modules/.bin
ln -sf ../../bin/azureml-emulator.js node_modules/.bin/azureml-emulator
# The review command (a bin of the package), usable in the repository as `npx azureml-retrain-review`.
chmod +x dist/provider/review/cli.js
ln -sf ../../dist/provider/review/cli.js node_modules/.bin/azureml-retrain-review
# The model-update command (issue 17), usable in the repository as `npx azureml-retrain-update`.
chmod +x dist/provider/automation/cli.js
ln -sf ../../dist/provider/automation/cli.js node_modules/.bin/azureml-retrain-update
