/**
 * "Reviewed" cannot be fooled (issue 17 item 4): under `promotion: "reviewed"` (the default) a binding promotes only
 * a model some preview of the stack showed (or a pin). An Automation API `up` (which skips the preview), an up with
 * `--target`, a blob landing between the review and the up, and a destroy + re-create of the binding all leave the
 * target on the model it serves, with 0 writes and a warning naming the held model; the next preview shows the held
 * model old → new, and the up after it makes exactly one write.
 */
import { execFile } from "child_process";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { pulumiBinDir } from "../../scripts/services/pulumiEnv";
import { withStack } from "../support/pulumi";
import { UploadedModel, boundPath, emulatorWrites, promotionStackConfig, resetEmulatorRequests, scoringModel, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
const env = usePromotionEmulator();
const container = () => env.emulator.manifest.containers.models;

async function bindingUrn(stack: Stack): Promise<string> {
  return ((await stack.exportStack()).deployment.resources as Array<{ urn: string }>).find((r) => r.urn.endsWith("::scoring-model"))!.urn;
}

interface ReviewedStack { stack: Stack; envVars: Record<string, string>; prefix: string; v1: UploadedModel; api: string; key: string }

/** A promotion-fixture stack under "reviewed" whose endpoint serves v1, reviewed (preview) and applied (up). */
async function withReviewedStack(fn: (s: ReviewedStack) => Promise<void>): Promise<void> {
  const config = promotionStackConfig(env.emulator.manifest, { promotion: "reviewed" });
  const prefix = config.classicPrefix.value;
  const v1 = await env.models.upload(prefix, "v1", 1);
  await withStack(project, config, async ({ stack, envVars }) => {
    await stack.preview();
    const created = await stack.up();
    const [api, key] = [created.outputs.endpointApiLocation.value as string, created.outputs.endpointKey.value as string];
    expect(await scoringModel(api, key)).toBe(boundPath(container(), v1.sha256));
    await fn({ stack, envVars, prefix, v1, api, key });
  });
}

/** An up that must not write: returns its output, and checks that the endpoint still serves `serving`. */
async function heldUp(stack: Stack, serving: string, api: string, key: string, opts: { target?: string[] } = {}): Promise<string> {
  await resetEmulatorRequests(env.emulator.url);
  const up = await stack.up(opts);
  expect(await emulatorWrites(env.emulator.url)).toEqual({});
  expect(await scoringModel(api, key)).toBe(serving);
  return up.stdout;
}

test("reviewed: an up that no preview preceded holds the new model, on every up and with --target, until a preview shows it; then one write", async () => {
  await withReviewedStack(async ({ stack, prefix, v1, api, key }) => {
    const v2 = await env.models.upload(prefix, "v2", 1);
    for (const opts of [{}, {}, { target: [await bindingUrn(stack)] }]) {
      const out = await heldUp(stack, boundPath(container(), v1.sha256), api, key, opts);
      // Visible on every up that holds it, with what to do.
      expect(out).toContain(`holds ${container()}/${v2.path}`);
      expect(out).toContain(`no preview of this stack showed ${container()}/${v2.path}`);
    }

    // The review shows it, served → held; then a newer blob lands before the up: that one is held, not promoted,
    // and neither is the reviewed one (the program declares the newest).
    expect((await stack.preview()).changeSummary).toMatchObject({ update: 1 });
    const v3 = await env.models.upload(prefix, "v3", 1);
    expect(await heldUp(stack, boundPath(container(), v1.sha256), api, key)).toContain(`holds ${container()}/${v3.path}`);

    // Reviewed, then up: exactly one write, and the reviewed bytes serve.
    expect((await stack.preview()).changeSummary).toMatchObject({ update: 1 });
    await resetEmulatorRequests(env.emulator.url);
    const promoted = await stack.up();
    expect(promoted.stdout).not.toContain(" holds ");
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(api, key)).toBe(boundPath(container(), v3.sha256));
  });
});

test("reviewed: a destroy and re-create of the binding does not promote what no preview showed", async () => {
  await withReviewedStack(async ({ stack, prefix, v1, api, key }) => {
    const v2 = await env.models.upload(prefix, "v2", 1);
    // The binding goes (the endpoint keeps serving v1), and comes back declaring v2, with no preview in between.
    await stack.destroy({ target: [await bindingUrn(stack)] });
    const out = await heldUp(stack, boundPath(container(), v1.sha256), api, key);
    expect(out).toContain(`holds ${container()}/${v2.path}`);

    await stack.preview();
    await resetEmulatorRequests(env.emulator.url);
    await stack.up();
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(api, key)).toBe(boundPath(container(), v2.sha256));
  });
});

test("reviewed: a rollout's waves hold a model no preview showed, and promote it after a preview, one write per target", async () => {
  const config = promotionStackConfig(env.emulator.manifest, { promotion: "reviewed", endpointCount: "2", canary: "1", waveSize: "1" });
  const prefix = config.classicPrefix.value;
  const v1 = await env.models.upload(prefix, "v1", 1);
  await withStack(path.join(__dirname, "fixtures", "rollout"), config, async ({ stack }) => {
    await stack.preview();
    const created = await stack.up();
    const keys: string[] = created.outputs.endpointKeys.value;
    const apis: string[] = created.outputs.apiLocations.value;
    const serving = () => Promise.all(apis.map((api, k) => scoringModel(api, keys[k])));
    expect(await serving()).toEqual([boundPath(container(), v1.sha256), boundPath(container(), v1.sha256)]);

    const v2 = await env.models.upload(prefix, "v2", 1);
    await resetEmulatorRequests(env.emulator.url);
    const held = await stack.up();
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
    expect(await serving()).toEqual([boundPath(container(), v1.sha256), boundPath(container(), v1.sha256)]);
    for (const wave of ["census-canary", "census-wave-1"]) expect(held.stdout).toContain(`RolloutWave "${wave}" holds ${container()}/${v2.path}`);

    expect((await stack.preview()).changeSummary).toMatchObject({ update: 2 });
    await resetEmulatorRequests(env.emulator.url);
    await stack.up();
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 2 });
    expect(await serving()).toEqual([boundPath(container(), v2.sha256), boundPath(container(), v2.sha256)]);
  });
});

test("reviewed: the CLI's pulumi up (a preview pass, then the update) promotes what its own preview showed, one write", async () => {
  await withReviewedStack(async ({ stack, envVars, prefix, api, key }) => {
    const v2 = await env.models.upload(prefix, "v2", 1);
    await resetEmulatorRequests(env.emulator.url);
    // Without --skip-preview the CLI runs the program as a preview first: that pass records what it shows.
    const out = await new Promise<string>((resolve, reject) =>
      execFile(path.join(pulumiBinDir(), "pulumi"), ["up", "--yes", "--non-interactive", "--stack", stack.name], { cwd: project, env: { ...process.env, ...envVars } }, (err, stdout, stderr) =>
        err ? reject(new Error(`${stdout}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(out).not.toContain(" holds ");
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(api, key)).toBe(boundPath(container(), v2.sha256));
  });
});
