/**
 * Promotion integrity through the real engine (issue 16): what serves is the bytes a preview showed and a gate
 * judged, bound through their content-addressed copy. Each adversarial case ends with the target serving the reviewed bytes or nothing changed, no unexpected
 * service write, and the audit's last line naming what serves.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import axios from "axios";
import { EngineEvent, Stack, UpResult } from "@pulumi/pulumi/automation";
import type { StackConfig } from "../../examples/local/manifestConfig";
import { listPromotions } from "../../provider";
import { bindingTargetKey } from "../../provider/ownership";
import { collectSteps, withStack } from "../support/pulumi";
import { UploadedModel, boundPath, emulatorWrites, promotionStackConfig, resetEmulatorRequests, scoringModel, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
const env = usePromotionEmulator();
const GATE = JSON.stringify({ minimum: { auc: 0.5 }, maxDrop: { accuracy: 0.01 } });

const failureOf = (p: Promise<unknown>) => p.then(() => "", (err: Error) => err.message);

/** The audit's newest line for the fixture's classic binding must name the model that serves. */
async function expectAuditServes(config: ReturnType<typeof promotionStackConfig>, model: UploadedModel): Promise<void> {
  const m = env.emulator.manifest;
  const key = bindingTargetKey({ targetKind: "classic", region: m.classic.region, workspaceId: m.classic.workspaceId, webServiceId: m.classic.predictiveService.id, endpointName: config.endpointName.value, trainedModelName: m.classic.predictiveService.trainedModelResourceName })!;
  const [last] = await listPromotions({ accountName: m.storage.accountName, blobEndpoint: m.storage.blobEndpoint, accountKey: m.storage.accountKey }, key, 1);
  expect(last.to).toMatchObject({ path: model.path, etag: model.etag, sha256: model.sha256, boundLocation: boundPath(m.containers.models, model.sha256) });
}

/** The promotion fixture on a fresh stack whose first up bound v1, with where to probe it. */
async function withV1Bound(
  gate: string,
  fn: (b: { stack: Stack; config: StackConfig; prefix: string; models: string; v1: UploadedModel; created: UpResult; apiLocation: string; key: string }) => Promise<void>,
  options?: { envOverrides?: Record<string, string> },
): Promise<void> {
  const config = promotionStackConfig(env.emulator.manifest, { gate });
  const prefix = config.classicPrefix.value;
  const v1 = await env.models.upload(prefix, "v1", 1);
  await withStack(
    project,
    config,
    async ({ stack }) => {
      const created = await stack.up();
      const [apiLocation, key] = [created.outputs.endpointApiLocation.value as string, created.outputs.endpointKey.value as string];
      await fn({ stack, config, prefix, models: env.emulator.manifest.containers.models, v1, created, apiLocation, key });
    },
    options,
  );
}

test("overwrites in place after preview and during the write never serve unreviewed bytes", async () => {
  await withV1Bound(GATE, async ({ stack, config, prefix, models, v1, created, apiLocation, key }) => {
    expect(created.outputs.classicModel.value.sha256).toBe(v1.sha256);

    // Overwrite in place after preview: the preview showed v2's bytes; then other bytes land at the same path.
    const v2 = await env.models.upload(prefix, "v2", 2);
    const events: EngineEvent[] = [];
    await stack.preview({ onEvent: (e) => events.push(e) });
    const shown = collectSteps(events).find((s) => s.name === "scoring-model")!.newInputs!.model as { sha256: string; metrics?: object };
    expect(shown.sha256).toBe(v2.sha256);
    expect(shown.metrics).toBeDefined();
    const swapped = await env.models.overwrite(v2.path, 9, "noisy");
    await resetEmulatorRequests(env.emulator.url);
    const refused = await failureOf(stack.up());
    // v2's manifest names the reviewed bytes, not these: no metric of theirs is trusted, so the gate refuses.
    expect(refused).toContain("gate refused the promotion");
    expect(refused).toContain("no verified evaluation");
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v1.sha256));
    expect(swapped.sha256).not.toBe(v2.sha256);

    // Overwrite during the write: the PATCH is slowed down and the source blob replaced while it is in flight. The
    // target is bound to the content-addressed copy of the reviewed bytes, so the overwrite changes nothing.
    const v3 = await env.models.upload(prefix, "v3", 3);
    await stack.preview();
    await resetEmulatorRequests(env.emulator.url);
    await axios.put(`${env.emulator.url}/_emulator/faults`, { management: { latencyMs: 2000 } });
    let promoted;
    try {
      const up = stack.up();
      for (let k = 0; k < 600 && !(await emulatorWrites(env.emulator.url))["management PATCH"]; k++) await new Promise((r) => setTimeout(r, 50));
      const during = await env.models.overwrite(v3.path, 11, "flipped");
      expect(during.sha256).not.toBe(v3.sha256);
      promoted = await up;
    } finally {
      await axios.put(`${env.emulator.url}/_emulator/faults`, {});
    }
    expect(promoted.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v3.sha256));
    expect(promoted.outputs.classicModel.value).toMatchObject({ path: v3.path, etag: v3.etag, sha256: v3.sha256 });
    await expectAuditServes(config, v3);
  });
}, 300_000);

test("metrics count only through the model's own manifest; an override approves one model only", async () => {
  await withV1Bound(GATE, async ({ stack, config, prefix, models, v1, apiLocation, key }) => {
    const unchanged = async () => {
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
      expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v1.sha256));
    };

    // Another model's evaluation: a poor model with v1's manifest copied beside it.
    const poor = await env.models.upload(prefix, "v2", 2, "noisy");
    await env.models.writeManifest(poor.path, { version: 1, sha256: v1.sha256, metrics: { auc: 0.95, accuracy: 0.95, precision: 0.9, recall: 0.9, f1: 0.9 } });
    await resetEmulatorRequests(env.emulator.url);
    const borrowed = await failureOf(stack.preview());
    expect(borrowed).toContain("gate refused the promotion");
    expect(borrowed).toContain("no verified evaluation");
    await unchanged();

    // Out-of-range metrics in the model's own manifest: a clear error at preview.
    const v3 = await env.models.upload(prefix, "v3", 3);
    await env.models.writeManifest(v3.path, { version: 1, sha256: v3.sha256, metrics: { auc: 10, accuracy: 0.8, truePositives: -3 } });
    const outOfRange = await failureOf(stack.preview());
    expect(outOfRange).toContain("auc 10 is not in [0, 1]");
    expect(outOfRange).toContain("truePositives -3 is negative");
    await unchanged();

    // Metrics declared in the program: shown in the diff as unverified, never used by the gate.
    const declared = { container: models, path: poor.path, etag: poor.etag, lastModified: poor.lastModified, size: poor.size, metrics: { auc: 0.99, accuracy: 0.99 } };
    await stack.setConfig("modelRef", { value: JSON.stringify(declared) });
    const gated = await failureOf(stack.preview());
    expect(gated).toContain("gate refused the promotion");
    await stack.removeConfig("gate");
    const events: EngineEvent[] = [];
    await stack.preview({ onEvent: (e) => events.push(e) });
    const shown = collectSteps(events).find((s) => s.name === "scoring-model")!.newInputs!.model as Record<string, unknown>;
    expect(shown.unverifiedMetrics).toEqual({ auc: 0.99, accuracy: 0.99 });
    expect(shown.metrics).toBeUndefined();
    expect(shown.sha256).toBe(poor.sha256);
    await stack.removeConfig("modelRef");
    await stack.setConfig("gate", { value: GATE });
    await unchanged();

    // A stale override: written for one model, it does not let another one through.
    await stack.setConfig("gate", { value: JSON.stringify({ ...JSON.parse(GATE), override: { sha256: poor.sha256, reason: "accepted for v2 only" } }) });
    const v4 = await env.models.upload(prefix, "v4", 4, "noisy");
    const stale = await failureOf(stack.up());
    expect(stale).toContain("gate refused the promotion");
    expect(stale).toContain(`does not apply to this model (sha256 ${v4.sha256})`);
    await unchanged();
    await expectAuditServes(config, v1);
  });
}, 300_000);

test("a pin by sha256 promotes only those bytes; a newer blob after a saved plan's preview is refused by the engine", async () => {
  const planFile = path.join(os.tmpdir(), `h16-plan-${process.pid}-${Date.now()}.json`);
  // Update plans (`--save-plan`, `--plan`) are experimental on this CLI.
  await withV1Bound(JSON.stringify({ minimum: { auc: 0.5 } }), async ({ stack, config, prefix, models, v1, apiLocation, key }) => {
    // Newer blob after preview: the reviewed plan names v2's bytes; v3 lands before up, which applies the plan.
    const v2 = await env.models.upload(prefix, "v2", 2);
    await stack.preview({ plan: planFile });
    await env.models.upload(prefix, "v3", 3);
    await resetEmulatorRequests(env.emulator.url);
    const newer = await failureOf(stack.up({ plan: planFile }));
    expect(newer).toMatch(/plan/i);
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v1.sha256));

    // A pin { container, path, sha256 }: the wrong bytes are refused naming both identities, the right ones promote.
    await stack.setConfig("modelRef", { value: JSON.stringify({ container: models, path: v1.path, sha256: v2.sha256 }) });
    const wrong = await failureOf(stack.preview());
    expect(wrong).toContain(`expected sha256 ${v2.sha256}, actual sha256 ${v1.sha256}`);
    await stack.setConfig("modelRef", { value: JSON.stringify({ container: models, path: v2.path, sha256: v2.sha256 }) });
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(models, v2.sha256));
    expect(up.outputs.classicModel.value).toMatchObject({ path: v2.path, etag: v2.etag, sha256: v2.sha256 });
    await expectAuditServes(config, v2);
  }, { envOverrides: { PULUMI_EXPERIMENTAL: "true" } });
  fs.rmSync(planFile, { force: true });
}, 300_000);
