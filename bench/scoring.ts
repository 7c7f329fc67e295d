/**
 * Emulator scoring: how long after an endpoint PATCH the new model serves, and RRS latency and throughput measured
 * from a second process (bench/loadgen.ts) over keep-alive loopback connections. Records "## Emulator scoring".
 *
 *     npx ts-node --transpile-only bench/scoring.ts
 */
import { spawn } from "child_process";
import * as path from "path";
import { performance } from "perf_hooks";
import { BlobSASPermissions, BlobServiceClient } from "@azure/storage-blob";
import { startEmulator } from "../emulator";
import { generateAdultCsv, trainFromCsv } from "../emulator/ml";
import { machineLine, writeSection } from "./report";

const COMMAND = "npx ts-node --transpile-only bench/scoring.ts";
const TOTAL = 20_000;
const WARMUP = 1_000;
const CONCURRENCY = 4;
const LOCATION_HEADER = "x-ms-azureml-model-location";

const COLUMNS = [
  "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
  "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
];
const ROW = ["39", "State-gov", "77516", "Bachelors", "13", "Never-married", "Adm-clerical", "Not-in-family", "White", "Male", "2174", "0", "40", "United-States"];
const REQUEST = JSON.stringify({ Inputs: { input1: { ColumnNames: COLUMNS, Values: [ROW] } }, GlobalParameters: {} });

interface LoadResult {
  requests: number;
  elapsedMs: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

function loadgen(url: string, key: string): Promise<LoadResult> {
  const script = path.join(__dirname, "loadgen.ts");
  const settings = { url, key, body: REQUEST, total: TOTAL, warmup: WARMUP, concurrency: CONCURRENCY };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script], {
      env: { ...process.env, LOADGEN: JSON.stringify(settings) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`loadgen exited ${code}`))));
  });
}

async function post(url: string, key: string, method: string, body: string): Promise<Response> {
  return fetch(url, { method, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body });
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ inMemory: true, port: 0, azuritePort: 0, logLevel: "silent" });
  try {
    const m = emulator.manifest;
    const predictive = `${m.classic.managementBaseUrl}/workspaces/${m.classic.workspaceId}/webservices/${m.classic.predictiveService.id}`;
    const added = await post(`${predictive}/endpoints/bench`, m.classic.workspaceToken, "PUT", JSON.stringify({ Description: "bench", ThrottleLevel: "High", MaxConcurrentCalls: 200 }));
    if (added.status !== 200) throw new Error(`add endpoint: ${added.status} ${await added.text()}`);
    const ep = (await added.json()) as { ApiLocation: string; PrimaryKey: string };
    const scoreUrl = `${ep.ApiLocation}/execute?api-version=2.0&details=true`;

    // A freshly uploaded model.
    const container = BlobServiceClient.fromConnectionString(m.storage.connectionString).getContainerClient(m.containers.models);
    const blobName = `bench/${Date.now()}/model.ilearner`;
    const model = trainFromCsv(generateAdultCsv(2000, 77, { drift: 0.5 })).model;
    const blob = container.getBlockBlobClient(blobName);
    await blob.upload(model, model.length);
    const sas = await blob.generateSasUrl({ permissions: BlobSASPermissions.parse("r"), expiresOn: new Date(Date.now() + 3_600_000) });
    const location = `${m.containers.models}/${blobName}`;

    // PATCH, then score until the model header names the new blob.
    const patchBody = JSON.stringify({
      Resources: [{ Name: m.classic.predictiveService.trainedModelResourceName, Location: { BaseLocation: m.storage.blobEndpoint, RelativeLocation: location, SasBlobToken: `?${sas.split("?")[1]}` } }],
    });
    const patchStart = performance.now();
    const patched = await post(`${predictive}/endpoints/bench`, m.classic.workspaceToken, "PATCH", patchBody);
    const patchDone = performance.now();
    if (patched.status !== 200) throw new Error(`patch: ${patched.status} ${await patched.text()}`);
    let probes = 0;
    let swapMs = NaN;
    for (const deadline = patchDone + 30_000; performance.now() < deadline; ) {
      const res = await post(scoreUrl, ep.PrimaryKey, "POST", REQUEST);
      await res.arrayBuffer();
      probes++;
      if (res.headers.get(LOCATION_HEADER) === location) {
        swapMs = performance.now() - patchDone;
        break;
      }
    }
    if (Number.isNaN(swapMs)) throw new Error("the new model never served within 30 s");

    const load = await loadgen(scoreUrl, ep.PrimaryKey);
    const ok = load.statuses["200"] ?? 0;
    const p99Met = load.p99 <= 5;
    const rpsMet = load.rps >= 2000;
    const f = (n: number) => n.toFixed(2);
    const body = [
      machineLine(),
      "",
      `Command: \`${COMMAND}\` (emulator in memory on loopback, its own Azurite, log level silent, default modelSwapDelayMs ${emulator.options.modelSwapDelayMs} ms).`,
      "",
      "| measure | value | target |",
      "|---|---|---|",
      `| PATCH request duration (read + validate + copy the .ilearner) | ${f(patchDone - patchStart)} ms | — |`,
      `| PATCH response → first RRS response naming the new blob | ${f(swapMs)} ms (${probes} probe requests) | — |`,
      `| RRS p50 latency | ${f(load.p50)} ms | — |`,
      `| RRS p90 latency | ${f(load.p90)} ms | — |`,
      `| RRS p99 latency | ${f(load.p99)} ms | ≤ 5 ms: ${p99Met ? "met" : "NOT met"} |`,
      `| RRS max latency | ${f(load.max)} ms | — |`,
      `| RRS throughput | ${Math.round(load.rps)} requests/s | ≥ 2,000: ${rpsMet ? "met" : "NOT met"} |`,
      "",
      `Load: ${load.requests.toLocaleString("en-US")} table-form requests (one row, \`details=true\`) after ${WARMUP.toLocaleString("en-US")} warm-up ones, from a second Node process (bench/loadgen.ts) over ${CONCURRENCY} keep-alive connections; ${ok.toLocaleString("en-US")} answered 200 (statuses: ${JSON.stringify(load.statuses)}). Latency is measured by the client, request sent to response end.`,
    ].join("\n");
    writeSection("## Emulator scoring", body);
    process.stdout.write(`${body}\n`);
  } finally {
    await emulator.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
