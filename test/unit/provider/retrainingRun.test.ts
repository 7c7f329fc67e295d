import { checkRetrainingRun, diffRetrainingRun, statusName, RetrainingRunInputs, RetrainingRunState } from "../../../provider/lifecycle/retrainingRun";
import { checkTrainingService, declaredOutputsOf, diffTrainingService } from "../../../provider/lifecycle/trainingService";
import { pickLatestModel } from "../../../provider/latestModel";

const run: Partial<RetrainingRunInputs> = {
  resourceName: "nightly",
  apiLocation: "https://ussouthcentral.services.azureml.net/workspaces/w/services/s/",
  apiKey: "k",
  input: { container: "training", path: "census/2024-05.csv" },
  outputContainer: "models",
  storageAccountName: "acct",
  storageAccountKey: "key",
};

describe("checkRetrainingRun", () => {
  test("defaults", () => {
    const { inputs, failures } = checkRetrainingRun(run);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ inputName: "input1", modelOutputName: "output1", evaluationOutputName: "output2", outputPrefix: "runs/nightly", apiLocation: "https://ussouthcentral.services.azureml.net/workspaces/w/services/s" });
  });
});

describe("diffRetrainingRun", () => {
  const inputs = checkRetrainingRun({ ...run, globalParameters: { l2: 0.1 } }).inputs;
  const state = { ...inputs, jobId: "j", inputIdentity: { container: "training", path: "census/2024-05.csv", etag: "E1", size: 1, lastModified: "t" } } as RetrainingRunState;
  test("same blob identity and parameters: no rerun", () => {
    expect(diffRetrainingRun(state, inputs, { ...state.inputIdentity })).toEqual({ changes: false, replaces: [], rerun: false });
  });
  test("new blob etag reruns", () => {
    expect(diffRetrainingRun(state, inputs, { ...state.inputIdentity, etag: "E2" }).rerun).toBe(true);
  });
  test("declared inputEtag is compared without a read", () => {
    expect(diffRetrainingRun(state, { ...inputs, inputEtag: "E1" }).rerun).toBe(false);
    expect(diffRetrainingRun(state, { ...inputs, inputEtag: "E3" }).rerun).toBe(true);
  });
  test("changed parameters rerun", () => {
    expect(diffRetrainingRun(state, { ...inputs, globalParameters: { l2: 0.2 } }, state.inputIdentity).rerun).toBe(true);
  });
  test("other settings update without rerun", () => {
    expect(diffRetrainingRun(state, { ...inputs, timeoutMinutes: 5 }, state.inputIdentity)).toEqual({ changes: true, replaces: [], rerun: false });
  });
  test("BES status codes by name or number", () => {
    expect([statusName(4), statusName("Failed"), statusName(2)]).toEqual(["Finished", "Failed", "Failed"]);
  });
});

describe("TrainingService checks", () => {
  test("defaults", () => {
    expect(checkTrainingService({ apiLocation: "https://x/s", apiKey: "k" }).inputs).toMatchObject({ inputName: "input1", modelOutputName: "output1", evaluationOutputName: "output2" });
  });
  test("diff", () => {
    const i = checkTrainingService({ apiLocation: "https://x/s", apiKey: "k" }).inputs;
    expect(diffTrainingService(i, i).changes).toBe(false);
    // Credentials are not identity (issue 8): a rotated key is no change.
    expect(diffTrainingService(i, { ...i, apiKey: "k2" }).changes).toBe(false);
    expect(diffTrainingService(i, { ...i, inputName: "input2" }).changes).toBe(true);
  });
  test("declared outputs from a swagger", () => {
    expect(declaredOutputsOf({ definitions: { BatchOutputs: { properties: { output1: {}, output2: {} } } } })).toEqual(["output1", "output2"]);
    expect(declaredOutputsOf({})).toBeUndefined();
  });
});

test("pickLatestModel: newest .ilearner wins, ties by path", () => {
  const b = (path: string, lastModified: string) => ({ path, lastModified });
  expect(pickLatestModel([b("a/model.ilearner", "2024-01-01T00:00:00Z"), b("b/evaluation.csv", "2024-03-01T00:00:00Z"), b("c/model.ilearner", "2024-02-01T00:00:00Z")])?.path).toBe("c/model.ilearner");
  expect(pickLatestModel([b("a/m.ilearner", "2024-01-01T00:00:00Z"), b("b/m.ilearner", "2024-01-01T00:00:00Z")])?.path).toBe("b/m.ilearner");
  expect(pickLatestModel([b("x.csv", "2024-01-01T00:00:00Z")])).toBeUndefined();
});
