/**
 * ModelRollout through the real engine (issue 9): the preview shows one update per wave with the model old → new;
 * up binds every target with one write each; a model that fails verification stops the rollout at the canary,
 * which is restored, and the later waves' targets are never touched.
 */
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { withStack } from "../support/pulumi";
import { SAMPLE_ROW, boundPath, emulatorWrites, promotionStackConfig, resetEmulatorRequests, scoringModel, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "rollout");
const env = usePromotionEmulator();

test("a 3-wave rollout: per-wave preview, one write per target, and a failing canary stops it with later targets untouched", async () => {
  const config = promotionStackConfig(env.emulator.manifest, {
    endpointCount: "4",
    withArm: "true",
    canary: "1",
    waveSize: "2",
    samples: JSON.stringify([{ row: SAMPLE_ROW, expectLabel: ">50K" }]),
    gate: JSON.stringify({ minimum: { auc: 0.6 } }),
  });
  const prefix = config.classicPrefix.value;
  const models = env.emulator.manifest.containers.models;
  const v1 = await env.models.upload(prefix, "v1", 1);

  await withStack(project, config, async ({ stack }) => {
    const created = await stack.up();
    // 4 endpoints, the component and its 3 waves (canary 1, then 2 + 2 with the ARM service last), the stack.
    expect(created.summary.resourceChanges).toEqual({ create: 9 });
    const keys: string[] = created.outputs.endpointKeys.value;
    const apis: string[] = created.outputs.apiLocations.value;
    const serving = async () => [
      ...(await Promise.all(apis.map((api, k) => scoringModel(api, keys[k])))),
      await scoringModel(env.emulator.manifest.arm.apiLocation, env.emulator.manifest.arm.primaryKey),
    ];
    expect(await serving()).toEqual(Array(5).fill(boundPath(models, v1.sha256)));

    // A new model: the preview plans it wave by wave, model old → new on each, and writes nothing.
    const v2 = await env.models.upload(prefix, "v2", 3);
    await resetEmulatorRequests(env.emulator.url);
    const events: EngineEvent[] = [];
    const preview = await stack.preview({ onEvent: (e) => events.push(e) });
    expect(preview.changeSummary).toEqual({ same: 6, update: 3 });
    const waves = events
      .map((e) => e.resourcePreEvent?.metadata)
      .filter((m) => m?.type.endsWith(":RolloutWave"))
      .map((m) => ({ name: m!.urn.split("::").pop(), from: (m!.old?.inputs?.model as { path: string }).path, to: (m!.new?.inputs?.model as { path: string }).path, targets: (m!.new?.inputs?.__targets as unknown[]).length }));
    expect(waves).toEqual([
      { name: "census-canary", from: v1.path, to: v2.path, targets: 1 },
      { name: "census-wave-1", from: v1.path, to: v2.path, targets: 2 },
      { name: "census-wave-2", from: v1.path, to: v2.path, targets: 2 },
    ]);
    expect(await emulatorWrites(env.emulator.url)).toEqual({});

    const promoted = await stack.up();
    expect(promoted.summary.resourceChanges).toEqual({ same: 6, update: 3 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 4, "arm PATCH": 1 });
    expect(await serving()).toEqual(Array(5).fill(boundPath(models, v2.sha256)));
    const bound = promoted.outputs.bound.value as Array<{ key: string; previousModel: { path: string }; model: { path: string }; verifiedBy: string }>;
    expect(bound).toHaveLength(5);
    expect(bound.every((b) => b.previousModel.path === v1.path && b.model.path === v2.path && b.verifiedBy.endsWith("+samples"))).toBe(true);

    // A clearly worse model (noisy labels, auc below 0.6): every wave's preview refuses it, nothing is written.
    await env.models.upload(prefix, "v2-noisy", 1, "noisy");
    await resetEmulatorRequests(env.emulator.url);
    const refused = await stack.preview().then(
      () => "",
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/RolloutWave "census-canary \(wave 1 of 3\)": gate refused the promotion of .*v2-noisy\/model\.ilearner: auc 0\.\d{4} is below the minimum 0\.6/);
    expect(await emulatorWrites(env.emulator.url)).toEqual({});

    // A model that scores the sample wrong: the canary is written, fails, is restored; waves 1 and 2 never start.
    const bad = await env.models.upload(prefix, "v3", 3, "flipped");
    await resetEmulatorRequests(env.emulator.url);
    const failed = await stack.up().then(
      () => "",
      (err: Error) => err.message,
    );
    expect(failed).toContain('RolloutWave "census-canary (wave 1 of 3)": 1 of 1 targets failed, so the wave stops and no later wave starts');
    expect(failed).toContain(`verification of ${models}/${bad.path}`);
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 2 });
    expect(await serving()).toEqual(Array(5).fill(boundPath(models, v2.sha256)));
  });
}, 300_000);
