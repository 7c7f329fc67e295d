/**
 * Review benchmark through the real engine (issue 17): a ModelRollout of N existing endpoints (bench/rollout's
 * program, canary 1 % then four waves) is on model v1, v2 lands, and the reviewer reads `pulumi preview --diff`
 * and the `azureml-retrain-review` report. Records the size of each and the time each takes.
 *
 *   npx ts-node --transpile-only bench/review.ts [N ...]      (default 200 1000; rewrites its BENCHMARKS.md section)
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator } from "../emulator";
import { configFromManifest } from "../examples/local/manifestConfig";
import { startAzurite } from "../scripts/services/azurite";
import { packedProject } from "../scripts/services/packedProject";
import { pulumiEnv } from "../scripts/services/pulumiEnv";
import { EmulatorModels, emulatorWrites, resetEmulatorRequests } from "../test/support/promotion";
import { machineLine, writeSection } from "./report";
import { prepareFleet } from "./rollout";

function run(cmd: string, dir: string, env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; seconds: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 1 << 28 }, (e, stdout) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }),
    );
  });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const ns = sizes.length > 0 ? sizes : [200, 1000];
  const azurite = await startAzurite({ inMemory: true });
  const emulator = await startEmulator({ inMemory: true, port: 0, storageConnectionString: azurite.connectionString, logLevel: "silent" });
  const project = packedProject({ "Pulumi.yaml": "name: review\nruntime: nodejs\nmain: program.js\n", "program.js": fs.readFileSync(path.join(__dirname, "rollout", "program.js"), "utf8") });
  const models = new EmulatorModels(emulator.manifest);
  const rows: string[] = [];
  try {
    for (const n of ns) {
      const { canary, waveSize, targetsFile } = await prepareFleet(emulator.manifest, project.dir, n);
      const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "review-state-"));
      const env = pulumiEnv({ stateDir });
      const prefix = `review-${n}-${Date.now().toString(36)}/`;
      await models.upload(prefix, "v1", 1);
      const config = { ...configFromManifest(emulator.manifest, "unused.csv"), kind: { value: "rollout" }, modelPrefix: { value: prefix }, targetsFile: { value: targetsFile }, canary: { value: String(canary) }, waveSize: { value: String(waveSize) } };
      const stack = `review${n}`;
      await run("pulumi", project.dir, env, ["stack", "init", stack, "--non-interactive"]);
      await run("pulumi", project.dir, env, ["config", "set-all", ...Object.entries(config).flatMap(([k, v]) => [(v as { secret?: boolean }).secret ? "--secret" : "--plaintext", `${k}=${v.value}`])]);
      const up = await run("pulumi", project.dir, env, ["up", "--yes", "--skip-preview", "--non-interactive"]);
      if (up.code !== 0) throw new Error(`up failed:\n${up.stdout.slice(-4000)}`);
      await models.upload(prefix, "v2", 3);
      await resetEmulatorRequests(emulator.url);
      const diff = await run("pulumi", project.dir, env, ["preview", "--diff", "--non-interactive"]);
      const md = path.join(project.dir, `review-${n}.md`);
      const json = path.join(project.dir, `review-${n}.json`);
      const review = await run(path.join(project.dir, "node_modules", ".bin", "azureml-retrain-review"), project.dir, env, ["--stack", stack, "--md", md, "--json", json]);
      const writes = Object.values(await emulatorWrites(emulator.url)).reduce((a, b) => a + b, 0);
      const report = fs.readFileSync(md, "utf8");
      const summary = (JSON.parse(fs.readFileSync(json, "utf8")) as { summary: string }).summary;
      const top = report.slice(0, report.indexOf("<details")).split("\n").length;
      rows.push(
        `| ${n} | ${diff.seconds.toFixed(1)} s | ${diff.stdout.split("\n").length} lines, ${kb(Buffer.byteLength(diff.stdout))} | ${review.seconds.toFixed(1)} s | ${kb(Buffer.byteLength(report))} (${top} lines above the fold) | ${kb(fs.statSync(json).size)} | ${summary} | ${review.code} | ${writes} |`,
      );
      console.error(rows[rows.length - 1]);
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  } finally {
    project.remove();
    await emulator.close();
    await azurite.stop();
  }
  writeSection(
    "## Review at scale (bench/review.ts)",
    `Command: \`npx ts-node --transpile-only bench/review.ts ${ns.join(" ")}\`. ${machineLine()}

A ModelRollout of N existing endpoints (bench/rollout/program.js: canary 1 %, then four waves, gated) is on model v1;
v2 lands under its prefix. Measured: \`pulumi preview --diff\` (what a reviewer reads by hand) and
\`azureml-retrain-review --md --json\` (the pull request's report; its preview runs in review mode), both through
the project's CLI from a folder outside the repository with the packed package, local file backend. Writes:
non-GET requests the emulator saw during both (must be 0). Before issue 17, \`preview --diff\` printed
10,211 lines / 618 KB at N = 1,000 (every unchanged target of every wave reprinted); each wave's targets are now
one digest line. The report groups targets that make the same change into one row and lists their names once.

| N | preview --diff time | preview --diff output | review time | review.md | review.json | summary | exit | writes |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Times vary by about ±30 % on this shared 2-core machine.`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
