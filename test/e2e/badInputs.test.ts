/**
 * A subset of the bad-input table (test/integration/provider/badInputs.test.ts) through the engine: one wrong input
 * per resource and for getLatestModelBlob, each fed from config into one small stack program. `pulumi preview`
 * must fail with CLI text that names the property and says what to do, with zero writes on the emulator.
 */
import * as path from "path";
import { configFromManifest } from "../../examples/local/manifestConfig";
import { withStack } from "../support/pulumi";
import { emulatorWrites, resetEmulatorRequests, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "badInput");
const env = usePromotionEmulator();
// Every surface that can be written to: a RetrainingRun's write would be a BES job submission.
const ALL_WRITE_SURFACES = ["management", "bes", "arm", "pipelines"];

/** [resource, what is wrong, the wrong args, what the CLI prints]. */
const CASES: Array<[string, string, () => Record<string, unknown>, RegExp]> = [
  ["TrainingService", "an apiLocation ending in /jobs", () => ({ apiLocation: `${env.emulator.manifest.classic.trainingService.apiLocation}/jobs` }),
    /resource 'bad': property apiLocation value \{[^}]*\/jobs\} has a problem: apiLocation ends in \/jobs\. Give the ApiLocation without \/jobs/],
  ["RetrainingRun", "a dataset that does not exist", () => ({ input: { container: env.emulator.manifest.containers.training, path: "nope/none.csv" } }),
    /resource 'bad': property input\.path value \{[^}]*\} has a problem: dataset blob training\/nope\/none\.csv does not exist\. Upload the dataset first, or fix input\.container\/input\.path/],
  ["PipelineRun", "two pipelines", () => ({ publishedPipelineId: "pp-1" }),
    /resource 'bad': property publishedPipelineId value \{pp-1\} has a problem: both pipelineEndpointId and publishedPipelineId are given\. /],
  ["ScoringEndpoint", "an endpoint on the training web service", () => ({ webServiceId: env.emulator.manifest.classic.trainingService.id }),
    /resource 'bad': property webServiceId value \{[0-9a-f]{32}\} has a problem: web service [0-9a-f]{32} \([^)]*\) has no updatable resources: it is a training web service\. This Web Service has no updatable resources: add the endpoint to the predictive web service/],
  ["TrainedModelBinding", "a trained-model name the ARM web service does not have", () => ({ trainedModelName: "Census Model [no such asset]" }),
    /resource 'bad': property trainedModelName value \{Census Model \[no such asset\]\} has a problem: "Census Model \[no such asset\]" is not a trained-model asset of web service "[^"]+"\. Use one of "/],
  ["ScoringEndpoint import", "import: instead of adopt", () => ({ __import: "existing-endpoint" }),
    /resource 'bad': property import value \{[^}]*\} has a problem: import "existing-endpoint" is not supported: .*Remove the import option\. To take over an existing classic endpoint, declare a ScoringEndpoint with adopt: true/],
  ["ModelRollout waveSize", "a wave size of 0", () => ({ waveSize: 0 }),
    /resource 'bad-canary': property rolloutPlan\.waveSize value \{[^}]*\} has a problem: waveSize 0 is not a whole number of targets of at least 1\. /],
  ["ModelRollout canary", "a canary larger than the rollout", () => ({ canary: 3 }),
    /resource 'bad-canary': property rolloutPlan\.canary value \{[^}]*\} has a problem: canary 3 is more than the 1 target of the rollout\. Give at most 1/],
  ["getLatestModelBlob", "a prefix without models", () => ({ prefix: "nothing-here/" }),
    /getLatestModelBlob "models\/nothing-here\/": no \.ilearner blob under models\/nothing-here\/\. Run a training job \(RetrainingRun\) first, or fix container\/prefix\./],
];

test("one wrong input per resource fails pulumi preview with the property and the fix, and writes nothing", async () => {
  const m = env.emulator.manifest;
  const config = {
    ...configFromManifest(m, m.seed.datasetRelativeLocation.split("/").slice(1).join("/")),
    pipelinesBaseUrl: { value: m.pipelines.baseUrl },
    pipelinesToken: { value: m.pipelines.token, secret: true },
    workspaceArmId: { value: `/subscriptions/${m.pipelines.subscriptionId}/resourceGroups/${m.pipelines.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${m.pipelines.workspaceName}` },
    pipelineEndpointId: { value: m.pipelines.pipelineEndpointId },
    experimentName: { value: m.pipelines.experimentName },
    dataPathParameter: { value: m.pipelines.dataPathParameter },
    resource: { value: "getLatestModelBlob" },
  };
  await withStack(project, config, async ({ stack }) => {
    const seen: Record<string, string> = {};
    for (const [resource, , args] of CASES) {
      // "ScoringEndpoint import": the resource is the word before the first space.
      await stack.setAllConfig({ resource: { value: resource.split(" ")[0] }, args: { value: JSON.stringify(args()) } });
      await resetEmulatorRequests(env.emulator.url);
      seen[resource] = await stack.preview().then((r) => `succeeded: ${r.stdout}`, (e: Error) => e.message);
      expect({ resource, writes: await emulatorWrites(env.emulator.url, ALL_WRITE_SURFACES) }).toEqual({ resource, writes: {} });
    }
    for (const [resource, , , prints] of CASES) expect({ resource, text: seen[resource] }).toEqual({ resource, text: expect.stringMatching(prints) });
  });
});
