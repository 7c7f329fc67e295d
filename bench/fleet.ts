/**
 * Fleet benchmark through the real engine (issue 8): for each N, N added endpoints each with a TrainedModelBinding,
 * beside 2N do-nothing dynamic resources (the engine floor) and a script doing the same HEAD + PATCH directly (the
 * physical floor). Steps: create, no-op preview, no-op up, review `preview --diff`, promotion up, destroy. Records
 * seconds, state bytes per resource, peak RSS, writes on the emulator, and scores every endpoint after promotion.
 *
 *   npx ts-node --transpile-only bench/fleet.ts [N ...]      (default 1 10 50 200; rewrites its BENCHMARKS.md section)
 *
 * The program runs from a folder outside the repository with the packed package installed (what a user runs).
 */
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { startEmulator } from "../emulator";
import { configFromManifest } from "../examples/local/manifestConfig";
import { startAzurite } from "../scripts/services/azurite";
import { packedProject } from "../scripts/services/packedProject";
import { pulumiEnv } from "../scripts/services/pulumiEnv";
import { EmulatorModels, boundPath, emulatorWrites, resetEmulatorRequests, scoringModel } from "../test/support/promotion";
import { machineLine, writeSection } from "./report";

type Step = "create" | "preview" | "noopUp" | "review" | "promote" | "destroy";
const STEPS: Step[] = ["create", "preview", "noopUp", "review", "promote", "destroy"];
interface Run { seconds: Record<Step, number>; rssMb: Record<Step, number>; stateBytesPerResource: number; promotionWrites: number; scored: number }

/**
 * Runs the CLI under /usr/bin/time: wall seconds and the peak RSS of the largest process it waited for.
 * Asynchronous on purpose: the emulator serves from this process's event loop.
 */
function pulumi(dir: string, env: Record<string, string>, args: string[]): Promise<{ seconds: number; rssMb: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%M", "pulumi", ...args, "--non-interactive"], { cwd: dir, env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out = (out + d).slice(-4000)));
    child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`pulumi ${args.join(" ")} failed:\n${out}\n${err}`));
      resolve({ seconds, rssMb: Number(err.trim().split("\n").pop()) / 1024 });
    });
  });
}

/** Short CLI commands (stack init, config, outputs), also without blocking the emulator. */
function cli(dir: string, env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 1 << 26 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)));
  });
}

function stateBytesPerResource(stateDir: string, type: string): number {
  const stacks = path.join(stateDir, ".pulumi", "stacks");
  const file = fs.readdirSync(stacks, { recursive: true, encoding: "utf8" }).find((f) => f.endsWith(".json"))!;
  const resources = (JSON.parse(fs.readFileSync(path.join(stacks, file), "utf8")).checkpoint.latest.resources as Array<{ type: string }>).filter((r) => r.type.endsWith(type));
  return Math.round(resources.reduce((sum, r) => sum + JSON.stringify(r).length, 0) / resources.length);
}

/** `FLEET_PROMOTION=reviewed` runs the bindings under the default policy; else "gated" (no preview markers). */
const PROMOTION = process.env.FLEET_PROMOTION === "reviewed" ? "reviewed" : "gated";

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const ns = sizes.length > 0 ? sizes : [1, 10, 50, 200];
  const azurite = await startAzurite({ inMemory: true });
  const emulator = await startEmulator({ inMemory: true, port: 0, storageConnectionString: azurite.connectionString, logLevel: "silent" });
  const project = packedProject({ "Pulumi.yaml": "name: fleet\nruntime: nodejs\nmain: program.js\n", "program.js": fs.readFileSync(path.join(__dirname, "fleet", "program.js"), "utf8") });
  const models = new EmulatorModels(emulator.manifest);
  const rows: string[] = [];
  try {
    for (const n of ns) {
      const runs: Record<string, Run> = {};
      for (const kind of ["noop", "binding"] as const) {
        const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-state-"));
        const env = pulumiEnv({ stateDir });
        const stack = `${kind}${n}`;
        const prefix = `fleet-${kind}-${n}-${Date.now().toString(36)}/`;
        await models.upload(prefix, "v1", 1);
        const base = configFromManifest(emulator.manifest, "unused.csv");
        const config: Record<string, { value: string; secret?: boolean }> = { ...base, count: { value: String(n) }, kind: { value: kind }, version: { value: "v1" }, modelPrefix: { value: prefix }, endpointPrefix: { value: `f${Date.now().toString(36)}x` }, promotion: { value: PROMOTION } };
        await cli(project.dir, env, ["stack", "init", stack, "--non-interactive"]);
        const pairs = Object.entries(config).flatMap(([k, v]) => [v.secret ? "--secret" : "--plaintext", `${k}=${v.value}`]);
        await cli(project.dir, env, ["config", "set-all", ...pairs]);
        const run = { seconds: {}, rssMb: {} } as Run;
        const step = async (name: Step, args: string[]) => {
          const r = await pulumi(project.dir, env, args);
          run.seconds[name] = r.seconds;
          run.rssMb[name] = r.rssMb;
          return r;
        };
        // Under "reviewed" a user previews before the first up, so create binds what that preview showed (not timed).
        if (PROMOTION === "reviewed") await pulumi(project.dir, env, ["preview"]);
        await step("create", ["up", "--yes", "--skip-preview"]);
        run.stateBytesPerResource = stateBytesPerResource(stateDir, kind === "noop" ? "Noop" : "TrainedModelBinding");
        await step("preview", ["preview"]);
        await step("noopUp", ["up", "--yes", "--skip-preview"]);
        if (kind === "noop") await cli(project.dir, env, ["config", "set", "version", "v2"]);
        const v2 = kind === "binding" ? await models.upload(prefix, "v2", 2) : undefined;
        await step("review", ["preview", "--diff"]);
        await resetEmulatorRequests(emulator.url);
        await step("promote", ["up", "--yes", "--skip-preview"]);
        run.promotionWrites = Object.values(await emulatorWrites(emulator.url)).reduce((a, b) => a + b, 0);
        run.scored = 0;
        if (v2) {
          const out = JSON.parse(await cli(project.dir, env, ["stack", "output", "endpoints", "--json", "--show-secrets"])) as Array<{ apiLocation: string; key: string }>;
          const want = boundPath(emulator.manifest.containers.models, v2.sha256);
          for (const e of out) if ((await scoringModel(e.apiLocation, e.key)) === want) run.scored++;
        }
        await step("destroy", ["destroy", "--yes", "--skip-preview"]);
        fs.rmSync(stateDir, { recursive: true, force: true });
        runs[kind] = run;
        console.error(`[fleet] N=${n} ${kind}: ${JSON.stringify(run)}`);
      }
      const physical = await physicalFloor(emulator.manifest, models, n);
      const b = runs.binding;
      const f = runs.noop;
      const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}×`;
      const cell = (s: Step) => `${b.seconds[s].toFixed(1)} / ${f.seconds[s].toFixed(1)} (${ratio(b.seconds[s], f.seconds[s])})`;
      const rss = Math.max(...STEPS.map((s) => b.rssMb[s]));
      const rssFloor = Math.max(...STEPS.map((s) => f.rssMb[s]));
      rows.push(`| ${n} | ${STEPS.map(cell).join(" | ")} | ${physical.toFixed(2)} | ${b.stateBytesPerResource} / ${f.stateBytesPerResource} (${ratio(b.stateBytesPerResource, f.stateBytesPerResource)}) | ${rss.toFixed(0)} / ${rssFloor.toFixed(0)} (${ratio(rss, rssFloor)}) | ${b.promotionWrites} | ${b.scored}/${n} |`);
    }
  } finally {
    project.remove();
    await emulator.close();
    await azurite.stop();
  }
  // The diagnostic run (checkpoints off: the engine writes no state file during the update) gets its own section.
  const skip = process.env.PULUMI_SKIP_CHECKPOINTS === "true";
  // "reviewed" (issue 17) adds a preview marker per binding to every preview: its own section, beside the default run.
  const reviewed = PROMOTION === "reviewed";
  writeSection(
    skip ? "## Fleet through the real engine, checkpoints off (bench/fleet.ts)" : reviewed ? "## Fleet through the real engine, promotion reviewed (bench/fleet.ts)" : "## Fleet through the real engine (bench/fleet.ts)",
    `Command: \`${skip ? "PULUMI_EXPERIMENTAL=true PULUMI_SKIP_CHECKPOINTS=true " : ""}${reviewed ? "FLEET_PROMOTION=reviewed " : ""}npx ts-node --transpile-only bench/fleet.ts ${ns.join(" ")}\`. ${machineLine()}${reviewed ? `

The bindings declare \`promotion: "reviewed"\` (the default): every preview records a marker per binding
(\`azureml-retrain/previews/…\`, one create-only PUT; 409 once it exists), and the stack is previewed once before
create (not timed), as a user does. Compare the preview columns with the default section above, taken with
\`promotion: "gated"\`, which writes no markers.` : ""}

N added endpoints, each with a \`TrainedModelBinding\` on one \`getLatestModelBlobOutput\`, run by the CLI (local file
backend) from a folder outside the repository with the packed package installed; beside 2N do-nothing dynamic
resources (same resource count; the promotion changes N of them) as the engine floor. Cells are seconds
"binding / floor (ratio)". Physical floor: the same N HEAD + PATCH requests sent directly, 8 at a time. State is
the checkpoint's JSON bytes per resource (binding vs do-nothing resource). RSS is the peak of the largest process
the CLI ran (\`/usr/bin/time %M\`), over all steps. Writes: non-GET management/ARM requests the emulator counted
during the promotion up. Scored: endpoints whose probe after the promotion was served by the new model.

| N | create | no-op preview | no-op up | review preview --diff | promotion up | destroy | physical floor (s) | state B/resource | peak RSS MB | promotion writes | scored |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}`,
  );
}

/** N × (HEAD of the model blob + PATCH of an endpoint), 8 in flight: the work a promotion has to do. */
async function physicalFloor(manifest: Parameters<typeof configFromManifest>[0], models: EmulatorModels, n: number): Promise<number> {
  const prefix = `fleet-physical-${n}-${Date.now().toString(36)}/`;
  const model = await models.upload(prefix, "v1", 1);
  const blob = BlobServiceClient.fromConnectionString(manifest.storage.connectionString).getContainerClient(manifest.containers.models).getBlobClient(model.path);
  // PATCH needs added endpoints: create them first (not timed), then time HEAD + PATCH.
  const names = Array.from({ length: n }, (_, i) => `p${Date.now().toString(36)}${i}`);
  const { classic } = manifest;
  const axios = (await import("axios")).default;
  const mgmt = `${classic.managementBaseUrl}/workspaces/${classic.workspaceId}/webservices/${classic.predictiveService.id}/endpoints`;
  const auth = { headers: { Authorization: `Bearer ${classic.workspaceToken}` } };
  for (const name of names) await axios.put(`${mgmt}/${name}`, { Description: "physical floor" }, auth);
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(8, n) }, async () => {
      while (next < names.length) {
        const name = names[next++];
        await blob.getProperties();
        await models.patchEndpointOutOfBand(name, classic.workspaceToken, model.path);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const name of names) await axios.delete(`${mgmt}/${name}`, auth);
  return seconds;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
