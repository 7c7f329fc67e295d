/**
 * The policy pack (policy/) through the real engine: `pulumi preview --policy-pack policy --policy-pack-config
 * <file>` on the fixture stack against the emulator. The CLI starts the pack with our policy runtime plugin
 * (pulumi-language-nodejs-policy) and the real @pulumi/policy runtime; a compliant stack previews, a violating one
 * is refused with each policy's message and nothing is written.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { withStack } from "../support/pulumi";
import { emulatorWrites, promotionStackConfig, resetEmulatorRequests, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "policy");
const policyPack = path.resolve(__dirname, "..", "..", "policy");
const env = usePromotionEmulator();

const GATE = { minimum: { auc: 0.5 }, maxDrop: { accuracy: 0.05 } };

let configDir: string;
beforeAll(() => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
});
afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

/** A --policy-pack-config file: per policy name, its config. */
function policyConfig(name: string, allowedModelContainers: string[]): string {
  const file = path.join(configDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ "allowed-model-containers": { allowedModelContainers } }));
  return file;
}

/** The wave's `targets` input: classic endpoints of the emulator's predictive web service, by name. */
function waveTargets(...endpointNames: string[]): string {
  const { classic } = env.emulator.manifest;
  return JSON.stringify(
    endpointNames.map((endpointName) => ({
      key: endpointName, kind: "classic", workspaceId: classic.workspaceId, webServiceId: classic.predictiveService.id, endpointName,
    })),
  );
}

const stackConfig = (overrides: Record<string, string> = {}) =>
  promotionStackConfig(env.emulator.manifest, { waveTargets: waveTargets("retrain-a", "retrain-b"), ...overrides });

/** The CLI's whole text (stdout and stderr) of a preview that must fail. */
async function refusedPreview(run: () => Promise<unknown>): Promise<string> {
  const err = await run().then(
    () => undefined,
    (e: Error) => e,
  );
  if (!err) throw new Error("preview succeeded, but the policy pack should have refused it");
  return err.message;
}

test("a compliant prod stack previews under the pack; a violating one is refused with each policy's message and no write", async () => {
  const models = env.emulator.manifest.containers.models;
  // The documented example config allows the emulator's `models` container.
  const allowed = path.join(policyPack, "config.example.json");
  const config = stackConfig({ gate: JSON.stringify(GATE) });
  await env.models.upload(config.classicPrefix.value, "v1", 1);

  await withStack(
    project,
    config,
    async ({ stack }) => {
      // Gated bindings and waves, added endpoints, an allowed container: the pack runs and passes.
      const ok = await stack.preview({ policyPacks: [policyPack], policyPackConfigs: [allowed] });
      expect(ok.changeSummary).toMatchObject({ create: 4 });
      expect(ok.stdout).toContain("azureml-retrain@v0.1.0");
      expect(ok.stdout).not.toMatch(/mandatory|advisory|warning/);

      // No gate on a prod stack, a wave onto the default endpoint, a container the config does not allow.
      await stack.removeConfig("gate");
      await stack.setConfig("waveTargets", { value: waveTargets("retrain-a", "default") });
      await resetEmulatorRequests(env.emulator.url);
      const text = await refusedPreview(() => stack.preview({ policyPacks: [policyPack], policyPackConfigs: [policyConfig("strict", ["approved-models"])] }));
      expect(text).toContain("no-default-endpoint-target");
      expect(text).toContain('RolloutWave "wave-1" target "default" targets the default endpoint "default"');
      expect(text).toContain("require-gate-on-prod");
      expect(text).toMatch(/TrainedModelBinding "scoring-model" has no gate, and stack "prod\w+" starts with "prod"/);
      expect(text).toMatch(/RolloutWave "wave-1" has no gate/);
      expect(text).toContain("allowed-model-containers");
      expect(text).toContain(`TrainedModelBinding "scoring-model" promotes a model from container "${models}", which is not in allowedModelContainers ("approved-models")`);
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
    },
    { stackNamePrefix: "prod" },
  );
});

test("a binding onto a training web service of the same stack is refused by the stack policy", async () => {
  const { classic, containers } = env.emulator.manifest;
  // A TrainingService whose ApiLocation names the web service the binding targets.
  const trainingServiceApiLocation = classic.trainingService.apiLocation.replace(/\/services\/[0-9a-f]{32}$/, `/services/${classic.predictiveService.id}`);
  const config = stackConfig({ trainingServiceApiLocation });
  await env.models.upload(config.classicPrefix.value, "v1", 1);

  await withStack(project, config, async ({ stack }) => {
    await resetEmulatorRequests(env.emulator.url);
    const text = await refusedPreview(() => stack.preview({ policyPacks: [policyPack], policyPackConfigs: [policyConfig("training", [containers.models])] }));
    expect(text).toContain("no-training-service-target");
    expect(text).toContain(`TrainedModelBinding "scoring-model" targets web service ${classic.predictiveService.id}, which is a training service (the TrainingService "training")`);
    expect(text).toContain('RolloutWave "wave-1" target "retrain-a" targets web service');
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
  });
});

test("a pack whose dependencies are not installed gets the CLI's install hint", async () => {
  // The pack's files alone, outside any node_modules tree.
  const bare = fs.mkdtempSync(path.join(os.tmpdir(), "bare-pack-"));
  for (const f of ["PulumiPolicy.yaml", "package.json", "index.ts", "rules.ts"]) fs.copyFileSync(path.join(policyPack, f), path.join(bare, f));
  try {
    await withStack(project, stackConfig(), async ({ stack }) => {
      const text = await refusedPreview(() => stack.preview({ policyPacks: [bare] }));
      expect(text).toContain(`it looks like the policy pack's dependencies are not installed; try running npm install or yarn install in "${bare}"`);
    });
  } finally {
    fs.rmSync(bare, { recursive: true, force: true });
  }
});
