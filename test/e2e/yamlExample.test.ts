/**
 * examples/yaml, the README's RetrainAndPromote pipeline in Pulumi YAML (issue 20), through the real engine: the YAML
 * language host runs the program, the azureml-retrain provider plugin constructs the components, and the dynamic
 * resources they create run in the engine's nodejs dynamic-provider host, against the emulator.
 */
import * as fs from "fs";
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { generateAdultCsv } from "../../emulator/ml";
import { configFromManifest } from "../../examples/local/manifestConfig";
import { reviewStack } from "../../provider/review";
import { pulumiCommand, storedState, withStack } from "../support/pulumi";
import { boundPath, emulatorWrites, resetEmulatorRequests, scoringModel, usePromotionEmulator } from "../support/promotion";
import { uniqueName } from "../support/storage";

const project = path.join(__dirname, "..", "..", "examples", "yaml");
const env = usePromotionEmulator();
const ALL_WRITE_SURFACES = ["management", "bes", "arm", "pipelines"];

/** The config keys examples/yaml declares, from the emulator's manifest. */
function yamlConfig(datasetPath: string, extra: Record<string, string> = {}) {
  const all = configFromManifest(env.emulator.manifest, datasetPath);
  const keys = ["storageAccountName", "storageBlobEndpoint", "storageAccountKey", "trainingApiLocation", "trainingApiKey", "datasetPath", "workspaceId", "workspaceToken", "managementBaseUrl", "predictiveServiceId", "trainedModelName"];
  const config: Record<string, { value: string; secret?: boolean }> = Object.fromEntries(keys.map((k) => [k, all[k]]));
  for (const [k, value] of Object.entries(extra)) config[k] = { value };
  return { ...config, endpointName: { value: uniqueName("yml") } };
}

async function uploadDataset(datasetPath: string, seed: number): Promise<void> {
  const { manifest } = env.emulator;
  const csv = generateAdultCsv(3000, seed, { drift: seed > 1 ? 0.8 : 0 });
  await BlobServiceClient.fromConnectionString(manifest.storage.connectionString).getContainerClient(manifest.containers.training).getBlockBlobClient(datasetPath).upload(csv, csv.length);
}

test("the YAML program trains and holds, trains again on new data, previews the promotion wave by wave, then promotes with one write per target", async () => {
  const datasetPath = `${uniqueName("census")}/latest.csv`;
  await uploadDataset(datasetPath, 1);
  const models = env.emulator.manifest.containers.models;

  await withStack(project, yamlConfig(datasetPath), async ({ stack, stateDir, envVars }) => {
    await resetEmulatorRequests(env.emulator.url);
    const created = await stack.up();
    const first = created.outputs.model.value as { path: string; sha256: string };
    expect((created.outputs.held.value as Array<{ path: string }>).map((h) => h.path)).toEqual([first.path, first.path]);
    // The two endpoints; the held model is not written anywhere.
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PUT": 2 });
    const keys: string[] = created.outputs.endpointKeys.value;
    const apis: string[] = created.outputs.apiLocations.value;
    const serving = () => Promise.all(apis.map((api, k) => scoringModel(api, keys[k])));
    const before = await serving();
    expect(before.every((m) => m !== boundPath(models, first.sha256))).toBe(true);

    // New data at the same path: the next up trains again and holds the new model.
    await uploadDataset(datasetPath, 2);
    const retrained = await stack.up();
    const model = retrained.outputs.model.value as { path: string; sha256: string };
    expect(model.sha256).not.toBe(first.sha256);
    expect((retrained.outputs.held.value as Array<{ path: string }>).map((h) => h.path)).toEqual([model.path, model.path]);

    const events: EngineEvent[] = [];
    const preview = await stack.preview({ diff: true, onEvent: (e) => events.push(e) });
    expect(preview.changeSummary).toMatchObject({ update: 2 });
    const waves = events.map((e) => e.resourcePreEvent?.metadata).filter((m) => m?.op === "update");
    expect(waves.map((w) => [w!.urn.split("::").pop(), (w!.new?.inputs?.model as { path: string }).path])).toEqual([
      ["census-rollout-canary", model.path],
      ["census-rollout-wave-1", model.path],
    ]);
    expect(preview.stdout).toContain(model.sha256);
    // The review command reads a YAML stack as it reads a TypeScript one: one row per target.
    const review = await reviewStack({ workDir: project, stackName: stack.name, envVars, pulumiCommand: await pulumiCommand(), pulumiHome: envVars.PULUMI_HOME });
    expect(review.summary).toBe("2 promotions, 0 refused by gate, 0 trainings, 0 other changes");
    expect(review.promotions.map((p) => [p.type, p.proposed?.path, p.write])).toEqual([["RolloutWave", model.path, "classic PATCH"], ["RolloutWave", model.path, "classic PATCH"]]);

    await resetEmulatorRequests(env.emulator.url);
    const promoted = await stack.up();
    expect(await emulatorWrites(env.emulator.url, ALL_WRITE_SURFACES)).toEqual({ "management PATCH": 2 });
    expect(promoted.outputs.held.value).toEqual([null, null]);
    expect(await serving()).toEqual([boundPath(models, model.sha256), boundPath(models, model.sha256)]);

    // Credentials given as secret config stay ciphertext in state.
    const state = storedState(stateDir);
    for (const secret of [env.emulator.manifest.classic.workspaceToken, env.emulator.manifest.classic.trainingService.primaryKey, env.emulator.manifest.storage.accountKey, ...keys]) {
      expect(state).not.toContain(secret);
    }
  });
});

test("a canary larger than the rollout in YAML fails pulumi preview with the property and the fix, no stack trace, and writes nothing", async () => {
  const datasetPath = `${uniqueName("census")}/latest.csv`;
  await uploadDataset(datasetPath, 1);
  await withStack(project, yamlConfig(datasetPath, { canary: "3" }), async ({ stack }) => {
    await resetEmulatorRequests(env.emulator.url);
    const text = await stack.preview().then((r) => `succeeded: ${r.stdout}`, (e: Error) => e.message);
    // The same text a TypeScript program gets from the RolloutWave's check.
    expect(text).toMatch(/resource 'census-rollout-canary': property rolloutPlan\.canary value \{[^}]*\} has a problem: canary 3 is more than the 2 targets of the rollout\. Give at most 2/);
    expect(text).not.toMatch(/^\s+at .*\.js:\d+/m);
    expect(await emulatorWrites(env.emulator.url, ALL_WRITE_SURFACES)).toEqual({});
  });
});

test("a rollout with no targets in YAML is refused when the component is constructed, in one line without a stack trace", async () => {
  const fixture = path.join(__dirname, "fixtures", "yamlNoTargets");
  await withStack(fixture, {}, async ({ stack }) => {
    const text = await stack.preview().then((r) => `succeeded: ${r.stdout}`, (e: Error) => e.message);
    expect(text).toMatch(/error: azureml-retrain:index:ModelRollout resource 'rollout' has a problem: ModelRollout "rollout": no targets: give at least one\n/);
    expect(text).not.toMatch(/^\s+at .*\.js:\d+/m);
  });
});

test("the README's YAML block is valid against the plugin's schema: preview gets as far as the resources' own checks", async () => {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const block = /```yaml\n(runtime: yaml\n[\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const dir = fs.mkdtempSync(path.join(__dirname, "fixtures", ".readme-"));
  try {
    // The block's plugin path is an installed package's; here it is the repository's bin/.
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: readme-yaml\n${block![1].replace("node_modules/pulumi-azureml-retrain/bin", "../../../../bin")}`);
    const config = Object.fromEntries([
      ...["trainingApiLocation", "storageAccountName", "workspaceId", "predictiveServiceId"].map((k) => [k, { value: "x" }]),
      ...["trainingKey", "workspaceToken", "storageAccountKey"].map((k) => [k, { value: "s", secret: true }]),
    ]);
    await withStack(dir, config, async ({ stack }) => {
      const text = await stack.preview().then((r) => `succeeded: ${r.stdout}`, (e: Error) => e.message);
      // "x" is no workspace id: the endpoint's offline check refuses it, after YAML parsed and type-checked the block.
      expect(text).toContain(`resource 'scoring-0': property workspaceId value {x} has a problem: workspaceId "x" is not a classic id.`);
      expect(text).not.toMatch(/not assignable|Cannot assign|unknown property|does not exist/i);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("getLatestModelBlob from YAML: the newest model with its sha256, and a prefix without models fails preview with the TypeScript text", async () => {
  const prefix = `${uniqueName("latest")}/`;
  const v1 = await env.models.upload(prefix, "v1", 1);
  const all = configFromManifest(env.emulator.manifest, "unused.csv");
  const config = { ...Object.fromEntries(["storageAccountName", "storageBlobEndpoint", "storageAccountKey", "modelContainer"].map((k) => [k, all[k]])), prefix: { value: prefix } };
  await withStack(path.join(__dirname, "fixtures", "yamlLatestModel"), config, async ({ stack }) => {
    const found = await stack.up();
    expect([found.outputs.modelPath.value, found.outputs.sha256.value]).toEqual([v1.path, v1.sha256]);
    await stack.setConfig("prefix", { value: "nothing-here/" });
    const text = await stack.preview().then((r) => `succeeded: ${r.stdout}`, (e: Error) => e.message);
    expect(text).toContain(`getLatestModelBlob "${all.modelContainer.value}/nothing-here/": no .ilearner blob under ${all.modelContainer.value}/nothing-here/. Run a training job (RetrainingRun) first, or fix container/prefix.`);
    expect(text).not.toMatch(/^\s+at .*\.js:\d+/m);
    expect(text).not.toContain(env.emulator.manifest.storage.accountKey);
  });
});
