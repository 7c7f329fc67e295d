/**
 * No secret in normal CLI output (issue 11): wrong credentials fail preview on every resource of the stack, with the
 * credentials passed as secret config and as `pulumi.secret(...)` values from the program; the CLI's text (stdout
 * and stderr, as a user or a CI log sees it) never contains any of them.
 */
import * as path from "path";
import { withStack } from "../support/pulumi";
import { promotionStackConfig, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
const env = usePromotionEmulator();

// Recognisable wrong values: long enough that a partial echo would still be found.
const WRONG = {
  workspaceToken: "wrong-workspace-token-3f9c2a7d51e8",
  armToken: "wrong-aad-token-eyJhbGciOiJSUzI1NiJ9",
  storageAccountKey: Buffer.from("wrong-storage-key-wrong-storage-key-0123").toString("base64"),
};

describe.each([
  ["secret config", false],
  ["pulumi.secret() in the program", true],
])("credentials passed as %s", (_label, inProgram) => {
  test.each([
    ["workspaceToken", { workspaceToken: WRONG.workspaceToken }, /ScoringEndpoint "scoring"/],
    ["storageAccountKey", { storageAccountKey: WRONG.storageAccountKey, modelPath: "census/x/model.ilearner" }, /TrainedModelBinding "(scoring|arm)-model": preview read of the model blob failed: 403/],
    ["armToken", { armToken: WRONG.armToken, modelPath: "census/x/model.ilearner" }, /TrainedModelBinding "arm-model"/],
  ] as const)("a wrong %s fails preview without printing it", async (_key, wrong, failing) => {
    const values = promotionStackConfig(env.emulator.manifest, { withArm: "true", secretsInProgram: String(inProgram), ...wrong });
    // Program-side secrets arrive as plain config: the program marks them secret itself.
    if (inProgram) for (const key of ["workspaceToken", "armToken", "storageAccountKey"]) values[key] = { value: values[key].value };
    await env.models.upload(values.classicPrefix.value, "v1", 1);
    await withStack(project, values, async ({ stack }) => {
      const outcome = await stack.preview().then((r) => `${r.stdout}${r.stderr}`, (e: Error) => e.message);
      expect(outcome).toMatch(failing);
      const secrets = [values.workspaceToken.value, values.armToken.value, values.storageAccountKey.value, env.emulator.manifest.storage.accountKey];
      expect(secrets.filter((s) => outcome.includes(s))).toEqual([]);
    });
  });
});
