/**
 * The product's promises, through the real engine (Automation API → CLI → nodejs host → dynamic providers) against
 * the emulator and Azurite: no-op previews write nothing, a new model blob is one reviewed update and one write,
 * drift is seen and undone, preview-time errors write nothing, destroy keeps the default endpoint, and the exported
 * state holds no secret in plaintext.
 */
import axios from "axios";
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import type { StackConfig } from "../../examples/local/manifestConfig";
import { collectSteps, storedState, withStack } from "../support/pulumi";
import { emulatorWrites, promotionStackConfig, resetEmulatorRequests, scoringModel, usePromotionEmulator, boundPath } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");

const env = usePromotionEmulator();

const stackConfig = (overrides: Record<string, string> = {}): StackConfig => promotionStackConfig(env.emulator.manifest, overrides);

test("a new model blob is one reviewed update and one write; drift is seen and undone; destroy keeps the default endpoint", async () => {
  const config = stackConfig({ withArm: "true" });
  const classicPrefix = config.classicPrefix.value;
  const armPrefix = config.armPrefix.value;
  const v1 = await env.models.upload(classicPrefix, "v1", 1);
  await env.models.upload(armPrefix, "v1", 1);
  const { classic } = env.emulator.manifest;

  await withStack(project, config, async ({ stack, stateDir }) => {
    const created = await stack.up();
    expect(created.summary.resourceChanges).toEqual({ create: 4 });
    const apiLocation: string = created.outputs.endpointApiLocation.value;
    const endpointKey: string = created.outputs.endpointKey.value;
    expect(created.outputs.endpointKey.secret).toBe(true);
    expect(await scoringModel(apiLocation, endpointKey)).toBe(boundPath(env.emulator.manifest.containers.models, v1.sha256));

    // A no-op preview and up write nothing.
    await resetEmulatorRequests(env.emulator.url);
    expect((await stack.preview()).changeSummary).toEqual({ same: 4 });
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 4 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({});

    // A new model under the classic prefix: preview shows exactly one binding update, old → new with metrics.
    const v2 = await env.models.upload(classicPrefix, "v2", 2);
    const events: EngineEvent[] = [];
    const preview = await stack.preview({ onEvent: (e) => events.push(e) });
    expect(preview.changeSummary).toEqual({ same: 3, update: 1 });
    const updates = collectSteps(events).filter((s) => s.op !== "same");
    expect(updates.map((s) => s.name)).toEqual(["scoring-model"]);
    const [oldModel, newModel] = [updates[0].oldInputs?.model, updates[0].newInputs?.model] as Array<Record<string, any>>;
    expect(oldModel).toMatchObject({ path: v1.path, etag: v1.etag, size: v1.size });
    expect(newModel).toMatchObject({ path: v2.path, etag: v2.etag, size: v2.size, lastModified: v2.lastModified });
    expect(newModel.metrics.auc).toBeCloseTo(v2.auc, 3);
    expect(await emulatorWrites(env.emulator.url)).toEqual({});

    // up: exactly one PATCH, and scoring moves to the new model.
    const promoted = await stack.up();
    expect(promoted.summary.resourceChanges).toEqual({ same: 3, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, endpointKey)).toBe(boundPath(env.emulator.manifest.containers.models, v2.sha256));

    // The same for the ARM web service: one definition update.
    await resetEmulatorRequests(env.emulator.url);
    const armV2 = await env.models.upload(armPrefix, "v2", 2);
    expect((await stack.preview()).changeSummary).toEqual({ same: 3, update: 1 });
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 3, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "arm PATCH": 1 });
    expect(await scoringModel(env.emulator.manifest.arm.apiLocation, env.emulator.manifest.arm.primaryKey)).toBe(
      boundPath(env.emulator.manifest.containers.models, armV2.sha256),
    );

    // Someone PATCHes the endpoint back to v1 by hand: refresh reports the drift, up restores v2.
    await env.models.patchEndpointOutOfBand(config.endpointName.value, endpointKey, v1.path);
    expect(await scoringModel(apiLocation, endpointKey)).toBe(`${env.emulator.manifest.containers.models}/${v1.path}`);
    const refreshed = await stack.refresh();
    expect(refreshed.summary.resourceChanges).toMatchObject({ update: 1 });
    await resetEmulatorRequests(env.emulator.url);
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 3, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, endpointKey)).toBe(boundPath(env.emulator.manifest.containers.models, v2.sha256));

    // No key, token, account key or SAS signature in plaintext in the stored state (what `pulumi stack export` prints).
    const state = storedState(stateDir);
    const leaked = [classic.workspaceToken, endpointKey, env.emulator.manifest.storage.accountKey, env.emulator.manifest.arm.token].filter((s) => state.includes(s));
    expect(leaked).toEqual([]);
    expect(/[?&]sig=/.test(state)).toBe(false);
    expect(state).toContain('"endpointKey":{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","ciphertext"');

    const destroyed = await stack.destroy();
    expect(destroyed.summary.resourceChanges).toEqual({ delete: 4 });
  });

  // Destroy deleted the added endpoint and left the default one alone.
  const mgmt = `${classic.managementBaseUrl}/workspaces/${classic.workspaceId}/webservices/${classic.predictiveService.id}/endpoints`;
  const auth = { headers: { Authorization: `Bearer ${classic.workspaceToken}` }, validateStatus: () => true };
  expect((await axios.get(`${mgmt}/${config.endpointName.value}`, auth)).status).toBe(404);
  expect((await axios.get(`${mgmt}/${classic.predictiveService.defaultEndpointName}`, auth)).status).toBe(200);
});

describe("preview-time errors fail before any write", () => {
  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    ["the default endpoint", () => ({ endpointName: env.emulator.manifest.classic.predictiveService.defaultEndpointName }), /default endpoint/i],
    ["an endpoint of the training service", () => ({ predictiveServiceId: env.emulator.manifest.classic.trainingService.id }), /no updatable resources|training/i],
    ["a model that is not an .ilearner", () => ({ modelPath: "census/model.csv" }), /\.ilearner/],
    ["a model blob that does not exist", () => ({ modelPath: "census/missing/model.ilearner" }), /not (found|exist)|does not exist|missing/i],
    ["a workspace in another region", () => ({ region: "europewest", managementBaseUrl: env.emulator.manifest.classic.managementBaseUrl.replace(/\/[a-z]+$/, "/europewest") }), /region|WorkspaceNotFound/i],
    ["unreachable storage", () => ({ storageBlobEndpoint: "http://127.0.0.1:9/devstoreaccount1/" }), /storage|ECONNREFUSED|connect/i],
  ];

  test.each(cases)("%s", async (_label, overrides, message) => {
    const config = stackConfig(overrides());
    await env.models.upload(config.classicPrefix.value, "v1", 1);
    await withStack(project, config, async ({ stack }) => {
      await resetEmulatorRequests(env.emulator.url);
      await expect(stack.preview()).rejects.toThrow(message);
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
    });
  });

  test("a wrong trained-model resource name on an endpoint created in the same update fails preview with zero writes", async () => {
    const config = stackConfig({ trainedModelName: "Census Model [no such model]" });
    await env.models.upload(config.classicPrefix.value, "v1", 1);
    await withStack(project, config, async ({ stack }) => {
      await resetEmulatorRequests(env.emulator.url);
      const error = await stack.preview().then(() => undefined, (e: Error) => e);
      expect(error?.message).toMatch(/property trainedModelName[^\n]*"Census Model \[no such model\]" is not an updatable resource/);
      expect(error?.message).toContain(env.emulator.manifest.classic.predictiveService.trainedModelResourceName);
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
    });
  });

  test("a trained-model resource name the endpoint does not have", async () => {
    const config = stackConfig();
    await env.models.upload(config.classicPrefix.value, "v1", 1);
    await withStack(project, config, async ({ stack }) => {
      await stack.up();
      await stack.setConfig("trainedModelName", { value: "Census Model [no such model]" });
      await resetEmulatorRequests(env.emulator.url);
      const error = await stack.preview().then(() => undefined, (e: Error) => e);
      expect(error?.message).toContain("Census Model [no such model]");
      // The message names the resource names the endpoint does have.
      expect(error?.message).toContain(env.emulator.manifest.classic.predictiveService.trainedModelResourceName);
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
    });
  });
});
