/**
 * Emulator persistence at fleet scale (issue 21): the direct request mix of a verified promotion (HEAD of the model
 * blob, PATCH, read-back GET, one scoring probe per endpoint, 8 in flight) against an emulator with a data dir and
 * one in memory, at each N, back to back. The emulator runs as its own process (as `npm run emulator` runs it), so
 * its CPU time is its own: read from /proc before and after each phase.
 *
 *   npx ts-node --transpile-only bench/persistence.ts [N ...]      (default 200 1000 10000; rewrites its BENCHMARKS.md section)
 *
 * Endpoints are created first (N PUTs, 8 in flight: timed separately, they are writes too), then the mix is timed.
 */
import axios from "axios";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite } from "../scripts/services/azurite";
import { EmulatorProcess, spawnEmulator } from "../test/support/emulatorProcess";
import { EmulatorModels, scoringModel } from "../test/support/promotion";
import { machineLine, writeSection } from "./report";

const IN_FLIGHT = 8;
const MODES = ["in memory", "data dir"] as const;
type Mode = (typeof MODES)[number];
interface Phase { seconds: number; cpu: number }
interface Run { create: Phase; mix: Phase; scored: number; dataBytes?: number }

/** Runs `work` for 0..n-1, `IN_FLIGHT` at a time; seconds and emulator CPU seconds spent. */
async function timed(emulator: EmulatorProcess, n: number, work: (i: number) => Promise<void>): Promise<Phase> {
  const cpu0 = emulator.cpuSeconds();
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n) }, async () => {
    while (next < n) await work(next++);
  }));
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: emulator.cpuSeconds() - cpu0 };
}

async function runOnce(mode: Mode, n: number, connectionString: string): Promise<Run> {
  const dataDir = mode === "data dir" ? fs.mkdtempSync(path.join(os.tmpdir(), "persistence-bench-")) : undefined;
  const emulator = await spawnEmulator({ storageConnectionString: connectionString, dataDir, args: ["--seed-rows", "1500"] });
  try {
    const { classic, storage, containers } = emulator.manifest;
    const models = new EmulatorModels(emulator.manifest);
    const model = await models.upload(`persistence-${n}-${Date.now().toString(36)}/`, "v1", 1);
    const blob = BlobServiceClient.fromConnectionString(storage.connectionString).getContainerClient(containers.models).getBlobClient(model.path);
    const base = `${classic.managementBaseUrl}/workspaces/${classic.workspaceId}/webservices/${classic.predictiveService.id}/endpoints`;
    const client = axios.create({ headers: { Authorization: `Bearer ${classic.workspaceToken}` }, httpAgent: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) });
    const names = Array.from({ length: n }, (_, i) => `b${i}`);
    const endpoints: Array<{ apiLocation: string; key: string }> = new Array(n);
    const create = await timed(emulator, n, async (i) => {
      const ep = (await client.put(`${base}/${names[i]}`, { Description: "persistence bench" })).data as { ApiLocation: string; PrimaryKey: string };
      endpoints[i] = { apiLocation: ep.ApiLocation, key: ep.PrimaryKey };
    });
    const want = `${containers.models}/${model.path}`;
    let scored = 0;
    const mix = await timed(emulator, n, async (i) => {
      await blob.getProperties();
      await models.patchEndpointOutOfBand(names[i], classic.workspaceToken, model.path);
      await client.get(`${base}/${names[i]}`);
      if ((await scoringModel(endpoints[i].apiLocation, endpoints[i].key)) === want) scored++;
    });
    const dataBytes = dataDir ? stateBytes(dataDir) : undefined;
    return { create, mix, scored, dataBytes };
  } finally {
    await emulator.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Bytes of every file in the data dir's `state/` (the database and its WAL). */
function stateBytes(dataDir: string): number {
  const dir = path.join(dataDir, "state");
  return fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const ns = sizes.length > 0 ? sizes : [200, 1000, 10000];
  const azurite = await startAzurite({ inMemory: true });
  const rows: string[] = [];
  const mixSeconds: Record<number, Record<Mode, number>> = {};
  try {
    for (const n of ns) {
      const started = new Date().toISOString().slice(11, 19);
      const runs = {} as Record<Mode, Run>;
      for (const mode of MODES) {
        runs[mode] = await runOnce(mode, n, azurite.connectionString);
        console.error(`[persistence] N=${n} ${mode}: ${JSON.stringify(runs[mode])}`);
      }
      mixSeconds[n] = { "in memory": runs["in memory"].mix.seconds, "data dir": runs["data dir"].mix.seconds };
      const ms = (s: number) => (s * 1000).toFixed(2);
      for (const mode of MODES) {
        const r = runs[mode];
        rows.push(
          `| ${n} | ${mode} | ${r.create.seconds.toFixed(2)} | ${ms(r.create.cpu / n)} | ${r.mix.seconds.toFixed(2)} | ${mode === "data dir" ? `${(r.mix.seconds / runs["in memory"].mix.seconds).toFixed(2)}×` : "—"} | ${r.mix.cpu.toFixed(2)} | ${ms(r.mix.cpu / n)} | ${r.scored}/${n} | ${r.dataBytes === undefined ? "—" : (r.dataBytes / 2 ** 20).toFixed(1)} | ${started} |`,
        );
      }
    }
  } finally {
    await azurite.stop();
  }
  const scaling = ns.slice(1).map((n, i) => {
    const prev = ns[i];
    const d = mixSeconds[n]["data dir"] / mixSeconds[prev]["data dir"];
    return `N ${prev} → ${n} (${(n / prev).toFixed(0)}× the endpoints): data dir ${d.toFixed(2)}× the time, in memory ${(mixSeconds[n]["in memory"] / mixSeconds[prev]["in memory"]).toFixed(2)}×`;
  });
  writeSection(
    "## Emulator persistence at fleet scale (bench/persistence.ts)",
    `Command: \`npx ts-node --transpile-only bench/persistence.ts ${ns.join(" ")}\`. ${machineLine()}

The emulator runs as its own process (\`emulator/server.ts\`, as \`npm run emulator\` runs it, log level silent) on
one Azurite, once in memory and once with a fresh data dir (SQLite, \`state/emulator.db\`), back to back for each N
(started at the UTC time in the last column; the machine is shared, so compare rows of the same N). Create: N
endpoint PUTs, 8 in flight. Mix: per endpoint a HEAD of the model blob, a PATCH binding it, a read-back GET and one
scoring probe, 8 in flight: the direct requests of a verified promotion. CPU is the emulator process's user +
system time over the phase (/proc), per endpoint: one write (the PUT, or the PATCH) and, in the mix, a GET and a
probe with it. Scored: probes served by the bound model. State: the size of \`state/\` (database and WAL) after the run.

| N | store | create (s) | CPU per PUT (ms) | mix (s) | data dir / in memory | mix CPU (s) | CPU per endpoint (ms) | scored | state (MiB) | started (UTC) |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}
${scaling.length > 0 ? `\n${scaling.join(". ")}.` : ""}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
