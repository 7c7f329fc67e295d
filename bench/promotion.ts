/**
 * Requests and time per promotion, from the provider's own request log, against the emulator on Azurite.
 * Drives the provider objects directly (the engine adds its own fixed cost, measured by the e2e tests' runs).
 * Records "## Provider requests per promotion" in BENCHMARKS.md.
 *
 *     npx ts-node --transpile-only bench/promotion.ts
 */
import { BlobServiceClient } from "@azure/storage-blob";
import { performance } from "perf_hooks";
import { startEmulator } from "../emulator";
import { generateAdultCsv, trainFromCsv } from "../emulator/ml";
import { getLatestModelBlob } from "../provider/latestModel";
import { RequestLogEntry, requestLog, resetRequestLog } from "../provider/transport";
import { ScoringEndpointInputs, ScoringEndpointState, scoringEndpointProvider } from "../provider/lifecycle/scoringEndpoint";
import { TrainedModelBindingInputs, TrainedModelBindingState, trainedModelBindingProvider } from "../provider/lifecycle/trainedModelBinding";
import { machineLine, writeSection } from "./report";

const COMMAND = "npx ts-node --transpile-only bench/promotion.ts";
const ENDPOINTS = 20;

function tally(log: RequestLogEntry[]): string {
  const counts = new Map<string, number>();
  for (const e of log) counts.set(`${e.surface} ${e.method}`, (counts.get(`${e.surface} ${e.method}`) ?? 0) + 1);
  return [...counts.entries()].sort().map(([k, n]) => `${n} × ${k}`).join(", ") || "none";
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ inMemory: true, port: 0, azuritePort: 0, logLevel: "silent" });
  try {
    const m = emulator.manifest;
    const storage = { storageAccountName: m.storage.accountName, storageBlobEndpoint: m.storage.blobEndpoint, storageAccountKey: m.storage.accountKey };
    const models = BlobServiceClient.fromConnectionString(m.storage.connectionString).getContainerClient(m.containers.models);
    const upload = async (folder: string, seed: number) => {
      const trained = trainFromCsv(generateAdultCsv(2000, seed), { seed });
      await models.getBlockBlobClient(`${folder}/evaluation.csv`).upload(trained.evaluationCsv, Buffer.byteLength(trained.evaluationCsv));
      await models.getBlockBlobClient(`${folder}/model.ilearner`).upload(trained.model, trained.model.length);
      return getLatestModelBlob({ ...storage, container: m.containers.models, prefix: `${folder}/` });
    };
    const [header, row] = generateAdultCsv(1, 7).trim().split("\n");
    const sampleRow = Object.fromEntries(header.split(",").map((c, i) => [c, row.split(",")[i]]).filter(([c]) => c !== "income"));

    const v1 = await upload("bench/v1", 1);
    const states: Array<{ ep: ScoringEndpointState; binding: TrainedModelBindingState; id: string }> = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const epInputs = (await scoringEndpointProvider.check!({} as never, {
        resourceName: `ep${i}`, workspaceId: m.classic.workspaceId, webServiceId: m.classic.predictiveService.id, endpointName: `bench${i}`,
        workspaceToken: m.classic.workspaceToken, region: m.classic.region, managementBaseUrl: m.classic.managementBaseUrl,
      } as never)).inputs as ScoringEndpointInputs;
      const ep = (await scoringEndpointProvider.create!(epInputs)).outs as ScoringEndpointState;
      const bindingInputs = (await trainedModelBindingProvider.check!({} as never, {
        resourceName: `bind${i}`, targetKind: "classic", managementBaseUrl: ep.managementBaseUrl, region: ep.region,
        workspaceId: ep.workspaceId, webServiceId: ep.webServiceId, endpointName: ep.endpointName, apiLocation: ep.apiLocation,
        endpointKey: ep.primaryKey, trainedModelName: m.classic.predictiveService.trainedModelResourceName, model: v1,
        verification: { sampleRow, timeoutSeconds: 30, intervalSeconds: 0.05 }, ...storage,
      } as never)).inputs as TrainedModelBindingInputs;
      const created = await trainedModelBindingProvider.create!(bindingInputs);
      states.push({ ep, binding: created.outs as TrainedModelBindingState, id: created.id });
    }

    // No-op preview: check + diff of every binding with an unchanged model.
    resetRequestLog();
    for (const s of states) {
      const same = (await trainedModelBindingProvider.check!(s.binding as never, { ...s.binding } as never)).inputs as TrainedModelBindingInputs;
      await trainedModelBindingProvider.diff!(s.id, s.binding, same);
    }
    const noOp = tally(requestLog());

    // Promotion: preview (diff) then up (update) of every binding to v2.
    const v2 = await upload("bench/v2", 2);
    const previewLogs: RequestLogEntry[][] = [];
    const updateLogs: RequestLogEntry[][] = [];
    const updateMs: number[] = [];
    for (const s of states) {
      const next = (await trainedModelBindingProvider.check!(s.binding as never, { ...s.binding, model: v2 } as never)).inputs as TrainedModelBindingInputs;
      resetRequestLog();
      await trainedModelBindingProvider.diff!(s.id, s.binding, next);
      previewLogs.push(requestLog());
      resetRequestLog();
      const start = performance.now();
      await trainedModelBindingProvider.update!(s.id, s.binding, next);
      updateMs.push(performance.now() - start);
      updateLogs.push(requestLog());
    }
    const writes = updateLogs.flat().filter((e) => e.surface === "management" && e.method !== "GET");

    const body = [
      `Command: \`${COMMAND}\`. ${machineLine()}`,
      "",
      `${ENDPOINTS} added endpoints, each with a TrainedModelBinding (classic, verification with a probe row), driven through the provider's`,
      "check/diff/update against the emulator; counts come from the provider client's request log.",
      "",
      "| operation | requests |",
      "|---|---|",
      `| no-op preview of all ${ENDPOINTS} bindings (check + diff) | ${noOp} |`,
      `| preview of one promotion (diff, model changed) | ${tally(previewLogs[0])} |`,
      `| one promotion (update) | ${tally(updateLogs[0])} |`,
      `| all ${ENDPOINTS} promotions: management writes | ${writes.length} (${tally(writes)}) |`,
      "",
      `In-process only (provider functions called directly, no engine, no state; not what pulumi up costs, see the fleet section): time per promotion (PATCH, read-back, probe scoring) median ${median(updateMs).toFixed(1)} ms, max ${Math.max(...updateMs).toFixed(1)} ms over ${ENDPOINTS}.`,
      "Program-side `getLatestModelBlob` adds one List Blobs, a HEAD and a GET of the model (hashed) and one GET of its manifest per call. Since issue 16 an update also reads the model it replaces and the new model's bytes (each hashed once per provider process) and writes the content-addressed copy once per content: those are the storage GETs, HEADs and the PUT above.",
    ].join("\n");
    writeSection("## Provider requests per promotion", body);
    console.log(body);
  } finally {
    await emulator.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
