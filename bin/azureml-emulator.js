#!/usr/bin/env node
// Package bin: the compiled server when `npm run build` has run, otherwise the TypeScript source through ts-node.
const fs = require("fs");
const path = require("path");

const compiled = path.join(__dirname, "..", "dist", "emulator", "server.js");
if (fs.existsSync(compiled)) {
  require(compiled);
} else {
  require("ts-node").register({ transpileOnly: true });
  require(path.join(__dirname, "..", "emulator", "server.ts"));
}
