/**
 * Team state (issue 10 item 3): the promotion fixture on Pulumi's Azure Blob backend against Azurite. State,
 * history and passphrase secrets work; a second `up` while one runs is refused by the backend's lock and the first
 * finishes on valid state; a crashed `up` (SIGKILL) leaves a stale lock that refuses every update until
 * `pulumi cancel` removes it.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import axios from "axios";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { AzblobBackend, azblobBackend } from "../support/azblob";
import { pulumiCommand, withStack } from "../support/pulumi";
import { emulatorWrites, promotionStackConfig, resetEmulatorRequests, scoringModel, usePromotionEmulator, boundPath } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
const env = usePromotionEmulator();
let backend: AzblobBackend;

beforeAll(async () => {
  backend = await azblobBackend();
});
afterAll(async () => backend?.remove());

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const locks = () => backend.list(".pulumi/locks/");

/** A process and everything it started, by pid (/proc): the language host runs in a process group of its own. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ")".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended meanwhile.
    }
  }
  const out: number[] = [];
  const visit = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) visit(c);
  };
  visit(root);
  return out;
}

/** Slows every management request, so an `up` that promotes takes several seconds. */
async function slowManagement(latencyMs: number): Promise<void> {
  await axios.put(`${env.emulator.url}/_emulator/faults`, latencyMs > 0 ? { management: { latencyMs } } : {});
}

test("state, history and secrets on azblob; a concurrent up is refused by the lock; a crash's stale lock is cleared with pulumi cancel", async () => {
  const config = promotionStackConfig(env.emulator.manifest);
  const prefix = config.classicPrefix.value;
  await env.models.upload(prefix, "v1", 1);
  const models = env.emulator.manifest.containers.models;

  await withStack(
    project,
    config,
    async ({ stack, envVars }) => {
      const created = await stack.up();
      expect(created.summary.result).toBe("succeeded");

      // The checkpoint is a blob in the team's container; secrets in it are ciphertext (passphrase provider).
      const checkpoints = (await backend.list(".pulumi/stacks/")).filter((n) => n.endsWith(`${stack.name}.json`));
      expect(checkpoints).toHaveLength(1);
      const state = await backend.read(checkpoints[0]);
      expect(state).toContain("TrainedModelBinding::scoring-model");
      expect(state).not.toContain(env.emulator.manifest.classic.workspaceToken);
      expect(state).not.toContain(created.outputs.endpointKey.value);
      expect(state).toContain('"ciphertext"');
      expect(created.outputs.endpointKey.secret).toBe(true);
      const apiLocation: string = created.outputs.endpointApiLocation.value;
      const key: string = created.outputs.endpointKey.value;

      // Two concurrent ups of the next promotion: the second is refused by the lock, the first finishes.
      const v2 = await env.models.upload(prefix, "v2", 2);
      await resetEmulatorRequests(env.emulator.url);
      await slowManagement(1500);
      const first = stack.up();
      await waitFor("the first up's lock", async () => (await locks()).length === 1);
      const second = await LocalWorkspace.selectStack({ stackName: stack.name, workDir: project }, { pulumiCommand: await pulumiCommand(), envVars, pulumiHome: envVars.PULUMI_HOME });
      const refused = await second.up().then(() => undefined, (e: Error) => e);
      expect(refused?.name).toBe("ConcurrentUpdateError");
      expect(refused?.message).toContain("the stack is currently locked by 1 lock(s)");
      const done = await first;
      await slowManagement(0);
      expect(done.summary.result).toBe("succeeded");
      expect(done.summary.resourceChanges).toEqual({ same: 2, update: 1 });
      expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
      expect(await locks()).toEqual([]);
      expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v2.sha256));
      expect((await stack.outputs()).classicModel.value.path).toBe(v2.path);

      // History: the create and the promotion, nothing from the refused up.
      const history = await stack.history();
      expect(history.map((h) => [h.kind, h.result])).toEqual([["update", "succeeded"], ["update", "succeeded"]]);

      // A crash: SIGKILL the CLI (and its language host, program and provider) mid-update. Its lock stays.
      const v3 = await env.models.upload(prefix, "v3", 1);
      await slowManagement(1500);
      const crashed = spawn("pulumi", ["up", "--yes", "--skip-preview", "--stack", stack.name, "--non-interactive"], {
        cwd: project,
        env: { ...process.env, ...envVars },
        stdio: "ignore",
      });
      const exited = new Promise((resolve) => crashed.on("exit", resolve));
      await waitFor("the crashing up's lock", async () => (await locks()).length === 1);
      for (const pid of processTree(crashed.pid!)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await exited;
      await slowManagement(0);
      expect(await locks()).toHaveLength(1);
      const stale = await stack.up().then(() => undefined, (e: Error) => e);
      expect(stale?.message).toContain("the stack is currently locked by 1 lock(s)");

      // The documented command removes the stale lock; the next up promotes on valid state.
      await stack.cancel();
      expect(await locks()).toEqual([]);
      const recovered = await stack.up();
      expect(recovered.summary.result).toBe("succeeded");
      expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v3.sha256));
      expect((await stack.exportStack()).deployment.resources.length).toBeGreaterThan(0);
    },
    { envOverrides: backend.envVars },
  );
});
