/**
 * A write that takes effect but whose answer is lost (issue 11): the emulator carries out every management and ARM
 * write and then resets the connection instead of answering. The promotion must neither fail nor write twice: the
 * provider reads the target back before sending a write again, sees the new model bound, and is done.
 */
import axios from "axios";
import * as path from "path";
import { withStack } from "../support/pulumi";
import { emulatorWrites, promotionStackConfig, resetEmulatorRequests, scoringModel, usePromotionEmulator, boundPath } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
const env = usePromotionEmulator();

const setFaults = (faults: unknown) => axios.put(`${env.emulator.url}/_emulator/faults`, faults);

test("every write's answer lost: the promotion succeeds with exactly one write per binding", async () => {
  const config = promotionStackConfig(env.emulator.manifest, { withArm: "true" });
  await env.models.upload(config.classicPrefix.value, "v1", 1);
  await env.models.upload(config.armPrefix.value, "v1", 1);

  await withStack(project, config, async ({ stack }) => {
    const created = await stack.up();
    const apiLocation: string = created.outputs.endpointApiLocation.value;
    const endpointKey: string = created.outputs.endpointKey.value;

    const classicV2 = await env.models.upload(config.classicPrefix.value, "v2", 2);
    const armV2 = await env.models.upload(config.armPrefix.value, "v2", 2);
    await resetEmulatorRequests(env.emulator.url);
    await setFaults({ management: { lostAnswerRate: 1 }, arm: { lostAnswerRate: 1 } });
    try {
      const promoted = await stack.up();
      expect(promoted.summary.resourceChanges).toEqual({ same: 2, update: 2 });
      expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1, "arm PATCH": 1 });
    } finally {
      await setFaults({});
    }
    const models_ = env.emulator.manifest.containers.models;
    expect(await scoringModel(apiLocation, endpointKey)).toBe(boundPath(models_, classicV2.sha256));
    expect(await scoringModel(env.emulator.manifest.arm.apiLocation, env.emulator.manifest.arm.primaryKey)).toBe(boundPath(models_, armV2.sha256));
    // Nothing is left to do: the state recorded the promotion.
    expect((await stack.preview()).changeSummary).toEqual({ same: 4 });
  });
});
