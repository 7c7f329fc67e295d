/**
 * A write that takes effect but whose answer is lost (issue 11): the emulator carries out every management and ARM
 * write and then resets the connection instead of answering. The promotion must neither fail nor write twice: the
 * provider reads the target back before sending a write again, sees the new model bound, and is done.
 */
import axios from "axios";
import * as path from "path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { StackConfig, configFromManifest } from "../../examples/local/manifestConfig";
import { withStack } from "../support/pulumi";
import { testStorageConnectionString, uniqueName } from "../support/storage";
import { EmulatorModels, emulatorWrites, resetEmulatorRequests, scoringModel } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
let emulator: RunningEmulator;
let models: EmulatorModels;

beforeAll(async () => {
  emulator = await startEmulator({ inMemory: true, port: 0, storageConnectionString: testStorageConnectionString(), logLevel: "silent" });
  models = new EmulatorModels(emulator.manifest);
});
afterAll(async () => emulator?.close());

const setFaults = (faults: unknown) => axios.put(`${emulator.url}/_emulator/faults`, faults);

test("every write's answer lost: the promotion succeeds with exactly one write per binding", async () => {
  const config: StackConfig = {
    ...configFromManifest(emulator.manifest, "unused.csv"),
    endpointName: { value: uniqueName("lost") },
    classicPrefix: { value: `${uniqueName("classic")}/` },
    armPrefix: { value: `${uniqueName("arm")}/` },
    withArm: { value: "true" },
  };
  await models.upload(config.classicPrefix.value, "v1", 1);
  await models.upload(config.armPrefix.value, "v1", 1);

  await withStack(project, config, async ({ stack }) => {
    const created = await stack.up();
    const apiLocation: string = created.outputs.endpointApiLocation.value;
    const endpointKey: string = created.outputs.endpointKey.value;

    const classicV2 = await models.upload(config.classicPrefix.value, "v2", 2);
    const armV2 = await models.upload(config.armPrefix.value, "v2", 2);
    await resetEmulatorRequests(emulator.url);
    await setFaults({ management: { lostAnswerRate: 1 }, arm: { lostAnswerRate: 1 } });
    try {
      const promoted = await stack.up();
      expect(promoted.summary.resourceChanges).toEqual({ same: 2, update: 2 });
      expect(await emulatorWrites(emulator.url)).toEqual({ "management PATCH": 1, "arm PATCH": 1 });
    } finally {
      await setFaults({});
    }
    const models_ = emulator.manifest.containers.models;
    expect(await scoringModel(apiLocation, endpointKey)).toBe(`${models_}/${classicV2.path}`);
    expect(await scoringModel(emulator.manifest.arm.apiLocation, emulator.manifest.arm.primaryKey)).toBe(`${models_}/${armV2.path}`);
    // Nothing is left to do: the state recorded the promotion.
    expect((await stack.preview()).changeSummary).toEqual({ same: 4 });
  });
});
