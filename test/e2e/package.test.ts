/**
 * The package as a user installs it (issue 8): `npm pack`, install the tarball into a fresh folder outside the
 * repository with a plain-JavaScript program that imports it by name, then up → promotion → destroy on the emulator.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { configFromManifest } from "../../examples/local/manifestConfig";
import { PackedProject, packedProject } from "../../scripts/services/packedProject";
import { pulumiEnv } from "../../scripts/services/pulumiEnv";
import { withStack } from "../support/pulumi";
import { testStorageConnectionString, uniqueName } from "../support/storage";
import { EmulatorModels, emulatorWrites, resetEmulatorRequests, scoringModel, boundPath } from "../support/promotion";

const fixture = path.join(__dirname, "fixtures", "packed");

let emulator: RunningEmulator;
let project: PackedProject;

beforeAll(async () => {
  emulator = await startEmulator({ inMemory: true, port: 0, storageConnectionString: testStorageConnectionString(), logLevel: "silent" });
  project = packedProject({
    "Pulumi.yaml": fs.readFileSync(path.join(fixture, "Pulumi.yaml"), "utf8"),
    "index.js": fs.readFileSync(path.join(fixture, "index.js"), "utf8"),
  });
});
afterAll(async () => {
  project?.remove();
  await emulator?.close();
});

test("the tarball holds the built provider, its plugin launcher, its README and the LICENSE only, and pulls neither the emulator nor azure-native", () => {
  expect(project.files).toEqual(expect.arrayContaining(["package.json", "dist/provider/index.js", "dist/provider/index.d.ts", "dist/provider/lifecycle/trainedModelBinding.js", "dist/provider/resources/stub.js"]));
  expect(project.files.filter((f) => !f.startsWith("dist/provider/") && !["package.json", "README.md"].includes(f)).sort()).toEqual(["LICENSE", "bin/pulumi-resource-azureml-retrain", "provider/README.md"]);
  expect(fs.readFileSync(path.join(project.dir, "node_modules", "pulumi-azureml-retrain", "LICENSE"), "utf8")).toContain("Apache License");
  expect(Object.keys(project.dependencies).sort()).toEqual(["@azure/storage-blob", "axios", "axios-retry", "p-limit", "yaml"]);
  const installed = fs.readdirSync(path.join(project.dir, "node_modules"));
  for (const absent of ["fastify", "azurite"]) expect(installed).not.toContain(absent);
  expect(fs.existsSync(path.join(project.dir, "node_modules", "@pulumi", "azure-native"))).toBe(false);
  // The program lives outside the repository: nothing resolves back into it.
  expect(path.relative(path.resolve(__dirname, "..", ".."), project.dir).startsWith("..")).toBe(true);
});

test("every command is installed from the tarball and run (npx finds them locally, not on the registry)", () => {
  const bins = JSON.parse(fs.readFileSync(path.join(project.dir, "node_modules", "pulumi-azureml-retrain", "package.json"), "utf8")).bin;
  expect(Object.keys(bins).sort()).toEqual(["azureml-retrain-audit", "azureml-retrain-review", "azureml-retrain-update"]);
  const run = (bin: string) => execFileSync("npx", ["--no-install", bin, "--help"], { cwd: project.dir, encoding: "utf8", env: { ...process.env, npm_config_offline: "true" } });
  expect(run("azureml-retrain-audit")).toContain("usage: azureml-retrain-audit");
  expect(run("azureml-retrain-review")).toContain("usage: azureml-retrain-review");
  expect(run("azureml-retrain-update")).toContain("usage: azureml-retrain-update");
});

test("the provider plugin for other languages runs from the installed package and answers GetSchema (issue 20)", () => {
  const plugin = path.join(project.dir, "node_modules", "pulumi-azureml-retrain", "bin", "pulumi-resource-azureml-retrain");
  const env = { ...process.env, ...pulumiEnv() };
  const schema = JSON.parse(execFileSync("pulumi", ["package", "get-schema", plugin], { cwd: project.dir, encoding: "utf8", env }));
  expect(schema.name).toBe("azureml-retrain");
  expect(Object.keys(schema.resources).sort()).toEqual(["RetrainAndPromote", "ModelRollout", "ScoringEndpoint", "TrainedModelBinding"].map((n) => `azureml-retrain:index:${n}`).sort());
});

test("a stack outside the repository: up, promotion of a new model with one write, destroy", async () => {
  const models = new EmulatorModels(emulator.manifest);
  const prefix = `${uniqueName("packed")}/`;
  const v1 = await models.upload(prefix, "v1", 1);
  const config = { ...configFromManifest(emulator.manifest, "unused.csv"), endpointName: { value: uniqueName("ep") }, classicPrefix: { value: prefix } };
  const container = emulator.manifest.containers.models;
  await withStack(project.dir, config, async ({ stack }) => {
    // Reviewed (the default): what a preview showed is what up may bind (the marker comes from the installed package).
    await stack.preview();
    const created = await stack.up();
    expect(created.summary.resourceChanges).toEqual({ create: 3 });
    const apiLocation: string = created.outputs.apiLocation.value;
    const key: string = created.outputs.endpointKey.value;
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v1.sha256));

    const v2 = await models.upload(prefix, "v2", 2);
    await stack.preview();
    await resetEmulatorRequests(emulator.url);
    const promoted = await stack.up();
    expect(promoted.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await emulatorWrites(emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v2.sha256));
  });
});

test("a Pulumi YAML stack outside the repository uses the plugin the package ships: up, promotion of a new model with one write, destroy (issue 20)", async () => {
  const models = new EmulatorModels(emulator.manifest);
  const prefix = `${uniqueName("packedyaml")}/`;
  const v1 = await models.upload(prefix, "v1", 1);
  const dir = path.join(project.dir, "yaml");
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(fixture, "yaml", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const keys = ["storageAccountName", "storageBlobEndpoint", "storageAccountKey", "workspaceId", "predictiveServiceId", "workspaceToken", "managementBaseUrl", "trainedModelName", "modelContainer"];
  const all = configFromManifest(emulator.manifest, "unused.csv");
  const config = { ...Object.fromEntries(keys.map((k) => [k, all[k]])), endpointName: { value: uniqueName("ep") }, classicPrefix: { value: prefix } };
  const container = emulator.manifest.containers.models;
  await withStack(dir, config, async ({ stack }) => {
    // Reviewed (the default): the plugin's components record what this preview shows, so up binds it.
    await stack.preview();
    const created = await stack.up();
    expect(created.outputs.modelPath.value).toBe(v1.path);
    const apiLocation: string = created.outputs.apiLocation.value;
    const key: string = created.outputs.endpointKey.value;
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v1.sha256));

    const v2 = await models.upload(prefix, "v2", 2);
    const preview = await stack.preview({ diff: true });
    expect(preview.changeSummary).toMatchObject({ update: 1 });
    expect(preview.stdout).toContain(v2.sha256);
    await resetEmulatorRequests(emulator.url);
    await stack.up();
    expect(await emulatorWrites(emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v2.sha256));
  });
});
