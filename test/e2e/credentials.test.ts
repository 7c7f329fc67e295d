/**
 * Issue 8 through the real engine: service errors read as `<Type> "<name>": <operation> failed: <status> <code>: …`
 * and name the input to fix, with zero writes; rotated credentials are no change, and refresh and destroy use the
 * ones in the current stack config.
 */
import * as path from "path";
import type { StackConfig } from "../../examples/local/manifestConfig";
import { withStack } from "../support/pulumi";
import { uniqueName } from "../support/storage";
import { emulatorWrites, promotionStackConfig, resetEmulatorRequests, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");

const env = usePromotionEmulator();

const stackConfig = (overrides: Record<string, string> = {}): StackConfig => promotionStackConfig(env.emulator.manifest, overrides);

async function previewError(stack: { preview(): Promise<unknown> }): Promise<string> {
  const error = await stack.preview().then(() => undefined, (e: Error) => e);
  expect(error).toBeDefined();
  return error!.message;
}

describe("service errors through the engine: status, code, the input to fix, zero writes", () => {
  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    ["a wrong workspace token", () => ({ workspaceToken: "not-the-workspace-token" }), /property workspaceToken[^\n]*ScoringEndpoint "scoring": preview read failed: 401 \w+Unauthorized: .*\. Check workspaceToken/],
    ["an unreachable management host", () => ({ managementBaseUrl: "http://127.0.0.1:9/management/ussouthcentral" }), /property managementBaseUrl[^\n]*preview read failed: no response ECONNREFUSED/],
    ["a wrong storage key", () => ({ storageAccountKey: Buffer.from("wrong-key-wrong-key").toString("base64"), modelPath: "census/x/model.ilearner" }), /property storageAccountKey[^\n]*TrainedModelBinding "scoring-model": preview read of the model blob failed: 403 (AuthenticationFailed|AuthorizationFailure)/],
    ["an expired ARM token", () => ({ withArm: "true", armToken: "expired-aad-token", modelPath: "census/x/model.ilearner" }), /property armToken[^\n]*TrainedModelBinding "arm-model": preview read of the target failed: 401 \w+/],
  ];

  test.each(cases)("%s", async (_label, overrides, message) => {
    const config = stackConfig(overrides());
    await env.models.upload(config.classicPrefix.value, "v1", 1);
    await withStack(project, config, async ({ stack }) => {
      await resetEmulatorRequests(env.emulator.url);
      const text = await previewError(stack);
      expect(text).toMatch(message);
      expect(text).not.toContain(overrides().workspaceToken ?? "\u0000");
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
    });
  });

  test("a wrong endpoint key", async () => {
    const config = stackConfig();
    await env.models.upload(config.classicPrefix.value, "v1", 1);
    await withStack(project, config, async ({ stack }) => {
      await stack.up();
      // A new model name makes preview read the target with the binding's key.
      await stack.setConfig("bindingEndpointKey", { value: "not-the-endpoint-key", secret: true });
      await stack.setConfig("trainedModelName", { value: "Census Model [other]" });
      await resetEmulatorRequests(env.emulator.url);
      const text = await previewError(stack);
      expect(text).toMatch(/TrainedModelBinding "scoring-model": endpointKey: TrainedModelBinding "scoring-model": preview read of the target failed: 401 \w+Unauthorized/);
      expect(text).toContain("request id");
      expect(text).not.toContain("not-the-endpoint-key");
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
      await stack.removeConfig("bindingEndpointKey");
      await stack.setConfig("trainedModelName", { value: env.emulator.manifest.classic.predictiveService.trainedModelResourceName });
    });
  });
});

test("rotating the workspace token and the ARM token between two ups: no changes; refresh and destroy use the new ones", async () => {
  const config = stackConfig({ withArm: "true" });
  await env.models.upload(config.classicPrefix.value, "v1", 1);
  await env.models.upload(config.armPrefix.value, "v1", 1);
  const { stores } = env.emulator;
  const workspace = stores.classic.getWorkspace(env.emulator.manifest.classic.workspaceId)!;
  const meta = stores.meta.get()!;
  const before = { workspace: { ...workspace }, meta: { ...meta } };
  try {
    await withStack(project, config, async ({ stack }) => {
      expect((await stack.up()).summary.resourceChanges).toEqual({ create: 4 });

      // The service rotates: the old token stops working at once.
      const newToken = `rotated-${uniqueName("ws")}`;
      const newArm = `rotated-${uniqueName("arm")}`;
      stores.classic.putWorkspace({ ...workspace, primaryToken: newToken, secondaryToken: `${newToken}-2` });
      stores.meta.put({ ...meta, armToken: newArm });
      await stack.setConfig("workspaceToken", { value: newToken, secret: true });
      await stack.setConfig("armToken", { value: newArm, secret: true });

      // The second up: credentials are not identity, so nothing changes and nothing is written.
      await resetEmulatorRequests(env.emulator.url);
      expect((await stack.up()).summary.resourceChanges).toEqual({ same: 4 });
      expect((await stack.preview()).changeSummary).toEqual({ same: 4 });
      const refreshed = await stack.refresh();
      expect(refreshed.summary.result).toBe("succeeded");
      expect(refreshed.summary.resourceChanges).toEqual({ same: 4 });
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
      // withStack's destroy runs with the rotated tokens too and deletes the endpoint.
    });
    const { classic } = env.emulator.manifest;
    expect(stores.classic.getEndpoint(classic.predictiveService.id, config.endpointName.value)).toBeUndefined();
  } finally {
    stores.classic.putWorkspace(before.workspace);
    stores.meta.put(before.meta);
  }
});
