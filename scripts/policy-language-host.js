#!/usr/bin/env node
// @ts-check
/**
 * pulumi-language-nodejs-policy: a Pulumi language plugin that does one thing, run Node.js policy packs.
 *
 * Why it exists (README "Policy pack"): the CLI (3.276) starts a local policy pack by asking the language host named
 * in its PulumiPolicy.yaml (`runtime:`) to `RunPlugin` it. The nodejs host this project can build (sdk/v3 3.68.0,
 * see scripts/pulumi-toolchain.sh) predates RunPlugin and answers "not supported", and the CLI's host cache would
 * hand a pack declared `runtime: nodejs` to that same process anyway. So our pack declares `runtime:
 * nodejs-policy`, and the CLI finds this plugin in its plugin cache (`$PULUMI_HOME/plugins/
 * language-nodejs-policy-v<VERSION>/`, where the toolchain script installs it).
 *
 * RunPlugin starts the real policy runtime of the pack's own SDK, `@pulumi/pulumi/cmd/run-policy-pack
 * <engine-address> <pack-dir>` (what the CLI's old `pulumi-analyzer-policy` script ran), in the pack's folder,
 * with the environment the CLI sends, and streams its stdout, stderr and exit code back. `@pulumi/policy` inside
 * the pack then serves the Analyzer protocol to the CLI itself; nothing here takes part in it. Every other
 * LanguageRuntime call answers UNIMPLEMENTED: running a policy pack needs no other.
 */
"use strict";
const { spawn } = require("child_process");
const path = require("path");

const NAME = "pulumi-language-nodejs-policy";
const VERSION = "0.1.0";

/** The SDK's gRPC stubs, from the @pulumi/pulumi installed where the CLI starts us (the stack's folder). */
function loadSdk() {
  let sdkDir;
  try {
    sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd(), __dirname] }));
  } catch {
    console.error(`${NAME}: @pulumi/pulumi is not installed where the stack runs (${process.cwd()}); run npm ci`);
    process.exit(1);
  }
  return {
    grpc: require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] })),
    services: require(path.join(sdkDir, "proto", "language_grpc_pb.js")),
    language: require(path.join(sdkDir, "proto", "language_pb.js")),
    plugin: require(path.join(sdkDir, "proto", "plugin_pb.js")),
  };
}

const sdk = loadSdk();
const { grpc } = sdk;

/** `K=V` entries as the CLI sends them; an empty list means "inherit ours". */
function envFromList(list) {
  if (list.length === 0) return process.env;
  const env = {};
  for (const entry of list) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function runPlugin(call) {
  const req = call.request;
  const send = (set, value) => {
    const res = new sdk.language.RunPluginResponse();
    res[set](value);
    call.write(res);
  };
  const finish = (code) => {
    send("setExitcode", code);
    call.end();
  };
  if (req.getKind() !== "analyzer") {
    call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: `${NAME} runs policy packs only, not ${req.getKind() || "this"} plugins` });
    return;
  }
  const info = req.getInfo();
  const packDir = path.resolve(info?.getProgramDirectory() || req.getPwd());
  let runner;
  try {
    runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  } catch {
    // The CLI recognises this text and tells the user to install the pack's dependencies.
    send("setStderr", Buffer.from(`Cannot find module '@pulumi/pulumi/cmd/run-policy-pack' from ${packDir}\n`));
    finish(1);
    return;
  }
  const child = spawn(process.execPath, [runner, ...req.getArgsList(), packDir], {
    cwd: packDir,
    env: envFromList(req.getEnvList()),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => send("setStdout", chunk));
  child.stderr.on("data", (chunk) => send("setStderr", chunk));
  child.on("error", (err) => {
    send("setStderr", Buffer.from(`${NAME}: could not start ${process.execPath}: ${err.message}\n`));
    finish(1);
  });
  child.on("close", (code) => finish(code ?? 1));
  call.on("cancelled", () => child.kill());
}

function handshake(_call, callback) {
  callback(null, new sdk.language.LanguageHandshakeResponse());
}

function getPluginInfo(_call, callback) {
  const info = new sdk.plugin.PluginInfo();
  info.setVersion(VERSION);
  callback(null, info);
}

const server = new grpc.Server();
server.addService(sdk.services.LanguageRuntimeService, { handshake, getPluginInfo, runPlugin });
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`${NAME}: could not listen: ${err.message}`);
    process.exit(1);
  }
  // The CLI reads the port from our first line of stdout.
  process.stdout.write(`${port}\n`);
});
