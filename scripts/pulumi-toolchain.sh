#!/usr/bin/env bash
# Makes the Pulumi CLI, the Node.js and YAML language hosts and the dynamic-provider launcher available offline.
#
# Prints the bin folder to put first on PATH (last line of stdout). Uses a `pulumi` already on PATH when it
# is at least the pinned version; otherwise builds the toolchain from Go modules into .tools/pulumi/bin and
# stamps it, so a second run only checks the stamp.
#
# Why these choices (see README "Pulumi toolchain"):
# - CLI version = the @pulumi/pulumi version in package-lock.json (3.276.0), so engine and SDK match.
# - The language host's own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) has no tags and the module
#   proxy answers 403 for it (any version, any commit), so it is built from the last sdk/v3 release that still
#   contained it (3.68.0). That host only starts `@pulumi/pulumi/cmd/run` of the installed SDK, whose protocol
#   with the engine it does not take part in; the engine tests prove it runs SDK 3.276 programs end to end. It
#   predates `RunPlugin`, so it cannot start policy packs (issue #9). The script therefore also installs our own
#   language plugin `nodejs-policy` (scripts/policy-language-host.js), the runtime the pack in policy/ names, into
#   the plugin cache of $PULUMI_HOME (default .tools/pulumi-home, as scripts/services/pulumiEnv.ts sets it). Not
#   on PATH: the CLI warns about every non-bundled plugin it finds there.
# - Some pulumi module versions are missing from the checksum database (404), so checksum-database lookups
#   are skipped for github.com/pulumi/* only; go.sum still pins what the proxy served.
# - The YAML language host (issue 20) is its own module, github.com/pulumi/pulumi-yaml, pinned to v1.25.0: the
#   newest version the module proxy serves here (v1.11.1 is the only other one). It is built against the
#   pulumi pkg/sdk v3.206.0 its go.mod requires; forced up to 3.276.0 it does not compile (plugin.NewContextWithRoot
#   and schema.NewPluginLoader changed signature). Language hosts talk to the CLI over gRPC only, so a host built on
#   an older SDK runs under the 3.276 CLI, as the 3.68 nodejs host does. It has its own stamp field, so a cache
#   from before it gains it without rebuilding the CLI.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-3.276.0}"
LANGHOST_SDK_VERSION="3.68.0"
YAML_VERSION="1.25.0"
POLICY_RUNTIME_VERSION="0.1.0"
CLIPBOARD_REPLACE="github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool_root="${PULUMI_TOOL_ROOT:-$root/.tools/pulumi}"
bin="$tool_root/bin"
stamp="$tool_root/stamp"
# The Go builds are cached by go_stamp (CLI + nodejs host) and yaml_stamp (YAML host) separately; the launchers
# (shell and Node scripts) are rewritten on every run, so bumping `launcher=` refreshes them in existing caches
# without rebuilding Go.
go_stamp="cli=$PULUMI_VERSION langhost=sdk/v$LANGHOST_SDK_VERSION"
yaml_stamp="yaml=v$YAML_VERSION"
want_stamp="$go_stamp $yaml_stamp launcher=4"

log() { echo "[pulumi-toolchain] $*" >&2; }

version_at_least() { # $1 >= $2, both x.y.z
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

write_launcher() {
  # The engine looks for this executable beside the CLI to host `pulumi.dynamic.Resource` providers. It
  # resolves the provider server from the SDK installed for the program (engine starts it in the program
  # folder) and hands it the engine's arguments.
  cat > "$1/pulumi-resource-pulumi-nodejs" <<'LAUNCHER'
#!/bin/sh
server=$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || {
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed where the program runs ($(pwd)); run npm ci" >&2
  exit 1
}
exec node "$server" "$@"
LAUNCHER
  chmod 755 "$1/pulumi-resource-pulumi-nodejs"
}

install_policy_runtime() {
  # What PulumiPolicy.yaml `runtime: nodejs-policy` resolves to: it runs policy packs with the pack's own
  # @pulumi/pulumi/cmd/run-policy-pack (see the script's header). Version = VERSION in the script.
  local home="${PULUMI_HOME:-$root/.tools/pulumi-home}"
  local dir="$home/plugins/language-nodejs-policy-v$POLICY_RUNTIME_VERSION"
  mkdir -p "$dir"
  install -m 755 "$root/scripts/policy-language-host.js" "$dir/pulumi-language-nodejs-policy"
}

# 1. A recent enough pulumi on PATH (not our own folder) wins.
if [ -z "${PULUMI_TOOLCHAIN_FORCE_BUILD:-}" ] && existing="$(PATH="${PATH//$bin:/}" command -v pulumi 2>/dev/null)"; then
  have="$(PULUMI_SKIP_UPDATE_CHECK=true "$existing" version 2>/dev/null | sed 's/^v//')"
  if [ -n "$have" ] && version_at_least "$have" "$PULUMI_VERSION"; then
    existing_dir="$(dirname "$existing")"
    if [ -x "$existing_dir/pulumi-language-nodejs" ] && [ -x "$existing_dir/pulumi-resource-pulumi-nodejs" ] && [ -x "$existing_dir/pulumi-language-yaml" ]; then
      install_policy_runtime
      log "using pulumi $have from PATH ($existing_dir)"
      echo "$existing_dir"
      exit 0
    fi
  fi
fi

require_go() {
  command -v go >/dev/null 2>&1 || {
    log "error: Go is not installed, and no pulumi >= $PULUMI_VERSION is on PATH."
    log "Install Go 1.24 or newer (https://go.dev/dl/) or put a pulumi CLI with its nodejs and yaml language hosts on PATH, then run again."
    exit 1
  }
  export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath GONOSUMDB="github.com/pulumi/*${GONOSUMDB:+,$GONOSUMDB}"
  mkdir -p "$bin"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
}

# A throwaway main module per binary: upstream go.mod files carry `replace` lines, which only take effect in
# the main module, so `go install module@version` refuses them.
build() { # name module-version package ldflags (version stamps)
  local name="$1" module="$2" pkg="$3" ldflags="$4" dir="$work/$1"
  mkdir -p "$dir" && cd "$dir"
  go mod init "toolchain.invalid/$name" >/dev/null 2>&1
  go mod edit -replace="$CLIPBOARD_REPLACE"
  go get "$module" >&2
  go get -tool "$pkg" >&2
  go build -tags osusergo,grpcnotrace -ldflags "-s -w $ldflags" -o "$bin/$name" "${pkg%@*}" >&2
}

sdk_version_flag() { echo "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$1"; }

build_yaml_host() {
  # The module's own go.mod picks the pulumi pkg/sdk it is built with (see the header).
  log "building pulumi-language-yaml v$YAML_VERSION"
  build pulumi-language-yaml "github.com/pulumi/pulumi-yaml@v$YAML_VERSION" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$YAML_VERSION" \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$YAML_VERSION"
}

# 2. Our own cached build: the CLI and nodejs host as stamped; the YAML host built now if the cache predates it.
if [ -f "$stamp" ] && [ "$(cut -d' ' -f1,2 "$stamp")" = "$go_stamp" ] && [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ]; then
  if [ "$(cut -d' ' -f3 "$stamp")" != "$yaml_stamp" ] || [ ! -x "$bin/pulumi-language-yaml" ]; then
    require_go
    build_yaml_host
  fi
  write_launcher "$bin"
  install_policy_runtime
  echo "$want_stamp" > "$stamp"
  log "cached: $want_stamp in ${bin#$root/}"
  echo "$bin"
  exit 0
fi

# 3. Build from Go modules.
require_go
log "building pulumi v$PULUMI_VERSION, pulumi-language-nodejs (sdk v$LANGHOST_SDK_VERSION) and pulumi-language-yaml v$YAML_VERSION with $(go version | cut -d' ' -f3); first build takes several minutes"
build pulumi "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
  "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION" "$(sdk_version_flag "$PULUMI_VERSION")"
build pulumi-language-nodejs "github.com/pulumi/pulumi/sdk/v3@v$LANGHOST_SDK_VERSION" \
  "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@v$LANGHOST_SDK_VERSION" "$(sdk_version_flag "$LANGHOST_SDK_VERSION")"
build_yaml_host
write_launcher "$bin"
install_policy_runtime

got="$(PULUMI_SKIP_UPDATE_CHECK=true "$bin/pulumi" version)"
[ "$got" = "v$PULUMI_VERSION" ] || { log "error: built CLI reports '$got', expected v$PULUMI_VERSION"; exit 1; }
echo "$want_stamp" > "$stamp"
log "built: pulumi $got, pulumi-language-nodejs, pulumi-language-yaml, pulumi-resource-pulumi-nodejs in ${bin#$root/}"
echo "$bin"
