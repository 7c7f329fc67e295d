/**
 * Safe promotion through the real engine (issue 9): a metric gate refuses at preview with 0 writes and both metric
 * sets, an override promotes visibly; a model that scores the verification samples wrong is rolled back with
 * exactly two writes and the target keeps serving the old model; `pin: "previous"` rolls back with one write.
 */
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { collectSteps, withStack } from "../support/pulumi";
import { SAMPLE_ROW, emulatorWrites, promotionStackConfig, resetEmulatorRequests, scoringModel, usePromotionEmulator, boundPath } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
const env = usePromotionEmulator();

test("a gate refuses at preview with both metric sets and 0 writes; an override declared in the program promotes with one write", async () => {
  const config = promotionStackConfig(env.emulator.manifest, { gate: JSON.stringify({ minimum: { auc: 0.5 }, maxDrop: { accuracy: 0.01 } }) });
  const prefix = config.classicPrefix.value;
  const good = await env.models.upload(prefix, "v1", 1);
  const models = env.emulator.manifest.containers.models;

  await withStack(project, config, async ({ stack }) => {
    const created = await stack.up();
    expect(created.summary.resourceChanges).toEqual({ create: 3 });
    const apiLocation: string = created.outputs.endpointApiLocation.value;
    const key: string = created.outputs.endpointKey.value;

    // A model trained on noisy labels: its accuracy falls by far more than 0.01.
    const worse = await env.models.upload(prefix, "v2", 1, "noisy");
    expect(good.accuracy - worse.accuracy).toBeGreaterThan(0.05);
    await resetEmulatorRequests(env.emulator.url);
    const refused = await stack.preview().then(
      () => "",
      (err: Error) => err.message,
    );
    expect(refused).toContain('TrainedModelBinding "scoring-model": gate refused the promotion');
    expect(refused).toMatch(/accuracy dropped by 0\.\d{4} \(0\.\d{4} → 0\.\d{4}\), more than 0\.01/);
    // Both metric sets side by side, with the rule and the verdict of each.
    expect(refused).toMatch(/accuracy\s+0\.\d{4}\s+0\.\d{4}\s+-0\.\d{4}\s+drop <= 0\.01\s+FAIL/);
    expect(refused).toMatch(/auc\s+0\.\d{4}\s+0\.\d{4}\s+[-+]0\.\d{4}\s+>= 0\.5\s+pass/);
    expect(refused).toContain("gate.override");
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
    // up refuses the same way, before any write.
    await expect(stack.up()).rejects.toThrow(/gate refused the promotion/);
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, good.sha256));

    // A deliberate override: declared in the program, shown in the diff, recorded in the verdict.
    // The override names the bytes it approves (issue 16): the sha256 the refusal and the preview show.
    expect(refused).toContain(`sha256: "${worse.sha256}"`);
    await stack.setConfig("gate", { value: JSON.stringify({ minimum: { auc: 0.5 }, maxDrop: { accuracy: 0.01 }, override: { sha256: worse.sha256, reason: "accepted by the ML review" } }) });
    const events: EngineEvent[] = [];
    expect((await stack.preview({ onEvent: (e) => events.push(e) })).changeSummary).toEqual({ same: 2, update: 1 });
    const step = collectSteps(events).find((s) => s.name === "scoring-model")!;
    expect((step.newInputs?.gate as { override?: { reason: string } }).override?.reason).toBe("accepted by the ML review");
    expect((step.newInputs?.model as { path: string }).path).toBe(worse.path);
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, worse.sha256));
    const state = await stack.exportStack();
    const binding = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::scoring-model"));
    expect(binding.outputs.gateVerdict).toMatchObject({ passed: true, overridden: true });
    expect(binding.outputs.gateVerdict.summary).toContain("accepted by the ML review");
  });
}, 300_000);

test("a model that scores the samples wrong is rolled back with exactly two writes; pin previous rolls back with one", async () => {
  // The good model scores the census sample row ">50K"; a model trained on flipped labels scores it "<=50K".
  const samples = [{ row: SAMPLE_ROW, expectLabel: ">50K" }];
  const config = promotionStackConfig(env.emulator.manifest, { samples: JSON.stringify(samples) });
  const prefix = config.classicPrefix.value;
  const v1 = await env.models.upload(prefix, "v1", 1);
  const models = env.emulator.manifest.containers.models;

  await withStack(project, config, async ({ stack }) => {
    const created = await stack.up();
    const apiLocation: string = created.outputs.endpointApiLocation.value;
    const key: string = created.outputs.endpointKey.value;
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v1.sha256));

    const flipped = await env.models.upload(prefix, "v2", 1, "flipped");
    await resetEmulatorRequests(env.emulator.url);
    const failed = await stack.up().then(
      () => "",
      (err: Error) => err.message,
    );
    expect(failed).toContain(`verification of ${models}/${flipped.path}`);
    expect(failed).toContain('verification.samples[0] scored wrong');
    expect(failed).toContain('label "<=50K", expected ">50K"');
    // The rollback rebinds what served before: the content-addressed copy of v1's bytes (issue 16).
    expect(failed).toContain(`Rolled back to ${boundPath(models, v1.sha256)}`);
    // The new model's write and the old model's restore: nothing else.
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 2 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v1.sha256));
    // State stays on the old model: the next preview offers the same promotion again.
    const state = await stack.exportStack();
    const binding = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::scoring-model"));
    expect(binding.outputs.model.path).toBe(v1.path);

    // A good v3 promotes; then a pin back to the previous model (v1) is an ordinary promotion with one write.
    const v3 = await env.models.upload(prefix, "v3", 3);
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v3.sha256));
    await stack.setConfig("pin", { value: JSON.stringify("previous") });
    await resetEmulatorRequests(env.emulator.url);
    const events: EngineEvent[] = [];
    expect((await stack.preview({ onEvent: (e) => events.push(e) })).changeSummary).toEqual({ same: 2, update: 1 });
    const step = collectSteps(events).find((s) => s.name === "scoring-model")!;
    expect((step.newInputs?.model as { path: string }).path).toBe(v1.path);
    const pinned = await stack.up();
    expect(pinned.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v1.sha256));
    const history = pinned.outputs.classicHistory.value as Array<{ path: string }>;
    expect(history.map((h) => h.path)).toEqual([v1.path, v3.path]);
    // The pin holds: a no-op after it, even though the newest model is v3.
    await resetEmulatorRequests(env.emulator.url);
    expect((await stack.preview()).changeSummary).toEqual({ same: 3 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
  });
}, 300_000);
