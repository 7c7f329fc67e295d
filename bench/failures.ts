/**
 * How long a failing Pulumi program takes to print its own error, and how much memory it takes, through the real
 * CLI (`pulumi preview` of test/e2e/fixtures/failures): a succeeding preview beside each failure mode, median of
 * RUNS runs, peak RSS of the largest process (GNU time's %M: the CLI, the language host or the program's node).
 * Records "## Failing programs" in BENCHMARKS.md.
 *
 *     npx ts-node --transpile-only bench/failures.ts [--runs 5] [--compare-node /path/to/old/bin/node]
 *
 * `--compare-node` also runs each mode once with another node first on PATH (e.g. the machine's Node 20), to show
 * what the runtime change bought.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startAzurite } from "../scripts/services/azurite";
import { pulumiEnv } from "../scripts/services/pulumiEnv";
import { machineLine, writeSection } from "./report";

const PROJECT = path.resolve(__dirname, "..", "test", "e2e", "fixtures", "failures");
const MODES: Array<{ mode: string; what: string; expect: string }> = [
  { mode: "ok", what: "succeeding preview (the floor)", expect: "" },
  { mode: "missing-config", what: "required config key missing", expect: "modelContainerMissingOnPurpose" },
  { mode: "latest-model", what: "getLatestModelBlob fails (wrong storage key)", expect: "getLatestModelBlob" },
  { mode: "apply-throw", what: "plain Error thrown inside an apply", expect: "apply-throw marker" },
  { mode: "run-error", what: "pulumi.RunError thrown by the program", expect: "run-error marker" },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Sample { seconds: number; peakMb: number; printed: boolean; exitCode: number }

function previewOnce(env: NodeJS.ProcessEnv, stack: string, expect: string): Sample {
  const timing = path.join(os.tmpdir(), `bench-failures-${process.pid}.time`);
  const run = spawnSync("/usr/bin/time", ["-o", timing, "-f", "%e %M", "pulumi", "preview", "--non-interactive", "--stack", stack, "--cwd", PROJECT], {
    env, encoding: "utf8", maxBuffer: 64 * 2 ** 20,
  });
  const [seconds, kb] = fs.readFileSync(timing, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  const output = `${run.stdout}${run.stderr}`;
  return { seconds, peakMb: kb / 1024, printed: expect === "" ? run.status === 0 : output.includes(expect), exitCode: run.status ?? -1 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const runs = Number(arg("--runs") ?? 5);
  const compareNode = arg("--compare-node");
  const azurite = await startAzurite({ inMemory: true });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-failures-state-"));
  const env: NodeJS.ProcessEnv = { ...process.env, ...pulumiEnv({ stateDir }) };
  const stack = `bench${Date.now().toString(36)}`;
  const pulumi = (...args: string[]) => execFileSync("pulumi", [...args, "--non-interactive", "--cwd", PROJECT], { env, stdio: ["ignore", "ignore", "inherit"] });
  try {
    pulumi("stack", "init", stack);
    pulumi("config", "set", "--stack", stack, "storageAccountName", azurite.accountName);
    pulumi("config", "set", "--stack", stack, "storageBlobEndpoint", azurite.blobEndpoint);
    // A well-formed key that is not the account's: storage answers 403.
    pulumi("config", "set", "--stack", stack, "--secret", "storageAccountKey", Buffer.alloc(64, 7).toString("base64"));
    const rows: string[] = [];
    let floor = 0;
    for (const { mode, what, expect } of MODES) {
      pulumi("config", "set", "--stack", stack, "mode", mode);
      const samples = Array.from({ length: runs }, () => previewOnce(env, stack, expect));
      const seconds = median(samples.map((s) => s.seconds));
      const peak = Math.max(...samples.map((s) => s.peakMb));
      if (mode === "ok") floor = seconds;
      const printed = samples.every((s) => s.printed) ? "yes" : `${samples.filter((s) => s.printed).length}/${runs}`;
      let old = "";
      if (compareNode) {
        const oldEnv = { ...env, PATH: `${path.dirname(compareNode)}${path.delimiter}${env.PATH}` };
        const s = previewOnce(oldEnv, stack, expect);
        old = ` | ${s.seconds.toFixed(1)} s, ${Math.round(s.peakMb)} MB${s.printed ? "" : " (message not printed)"}`;
      }
      rows.push(`| ${what} | ${seconds.toFixed(2)} s | ${mode === "ok" ? "—" : `${(seconds - floor >= 0 ? "+" : "")}${(seconds - floor).toFixed(2)} s`} | ${Math.round(peak)} MB | ${printed}${old} |`);
      console.log(rows[rows.length - 1]);
    }
    const nodeVersion = execFileSync("node", ["--version"], { env, encoding: "utf8" }).trim();
    const oldVersion = compareNode ? execFileSync(compareNode, ["--version"], { encoding: "utf8" }).trim() : "";
    writeSection(
      "## Failing programs",
      [
        `\`pulumi preview\` of \`test/e2e/fixtures/failures\` through the project's CLI (${execFileSync("pulumi", ["version"], { env, encoding: "utf8" }).trim()}), program and engine on Node ${nodeVersion}; median of ${runs} runs; peak RSS is the largest single process (GNU time %M).`,
        machineLine(),
        "",
        `Command: \`npx ts-node --transpile-only bench/failures.ts --runs ${runs}${compareNode ? " --compare-node <node 20>/bin/node" : ""}\``,
        "",
        `| program | time to exit | vs succeeding preview | peak RSS | own message printed${compareNode ? ` | same, on Node ${oldVersion} (1 run)` : ""} |`,
        `|---|---|---|---|---${compareNode ? "|---" : ""}|`,
        ...rows,
      ].join("\n"),
    );
  } finally {
    try { pulumi("stack", "rm", "--yes", "--force", stack); } catch { /* state folder is removed anyway */ }
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(path.join(PROJECT, `Pulumi.${stack}.yaml`), { force: true });
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
