import { checkPipelineRun, diffPipelineRun, PipelineRunInputs, PipelineRunState } from "../../../provider/lifecycle/pipelineRun";
import { UNKNOWN } from "../../../provider/validation";

const WS = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
const valid: PipelineRunInputs = {
  resourceName: "census-pipeline",
  apiBaseUrl: "https://westeurope.api.azureml.ms/",
  workspaceArmId: WS,
  pipelineEndpointId: "pe-1",
  experimentName: "census-retrain",
  dataPathParameter: "training_data_path",
  input: { container: "training", path: "census/latest.csv" },
  armToken: "token",
  storageAccountName: "acct",
  storageAccountKey: "key",
};

function failed(news: Partial<PipelineRunInputs>): string[] {
  return checkPipelineRun(news).failures.map((f) => f.property);
}

describe("checkPipelineRun", () => {
  test("accepts a complete run and trims the API host", () => {
    const { inputs, failures } = checkPipelineRun(valid);
    expect(failures).toEqual([]);
    expect(inputs.apiBaseUrl).toBe("https://westeurope.api.azureml.ms");
  });

  test("unknown values during preview are decided later", () => {
    expect(failed({ ...valid, input: UNKNOWN as unknown as PipelineRunInputs["input"], armToken: UNKNOWN, workspaceArmId: UNKNOWN })).toEqual([]);
  });
});

describe("diffPipelineRun", () => {
  const identity = { container: "training", path: "census/latest.csv", etag: "E1", lastModified: "2024-05-01T00:00:00Z", size: 10 };
  const olds = { ...valid, apiBaseUrl: "https://westeurope.api.azureml.ms", inputIdentity: identity } as PipelineRunState;
  const news = checkPipelineRun(valid).inputs;

  test("same dataset, same parameters: no change", () => {
    expect(diffPipelineRun(olds, news, identity)).toEqual({ changes: false, replaces: [], rerun: false });
  });

  test("new data at the same path runs again", () => {
    expect(diffPipelineRun(olds, news, { ...identity, etag: "E2" }).rerun).toBe(true);
  });

  test.each<[string, Partial<PipelineRunInputs>]>([
    ["a parameter", { parameterAssignments: { depth: 3 } }],
    ["the pipeline version", { pipelineVersion: "1" }],
    ["the dataset path", { input: { container: "training", path: "census/next.csv" } }],
  ])("a change of %s runs again", (_what, change) => {
    expect(diffPipelineRun(olds, { ...news, ...change }, identity).rerun).toBe(true);
  });

  test("a rotated token is not a change", () => {
    expect(diffPipelineRun(olds, { ...news, armToken: "rotated" }, identity)).toEqual({ changes: false, replaces: [], rerun: false });
  });

  test("a longer timeout is an update that does not run again", () => {
    expect(diffPipelineRun(olds, { ...news, timeoutMinutes: 90 }, identity)).toEqual({ changes: true, replaces: [], rerun: false });
  });
});
