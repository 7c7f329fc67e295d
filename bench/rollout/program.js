// The rollout benchmark's Pulumi program, installed beside the packed package (bench/rollout.ts).
// kind=rollout: one ModelRollout of the newest model under `modelPrefix` to the endpoints listed in `targetsFile`,
// canary then waves of `waveSize`, gated and verified by a probe on every target.
// kind=noop: the same number of waves as do-nothing dynamic resources, each carrying its targets (the engine floor).
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const c = new pulumi.Config();
const endpoints = JSON.parse(fs.readFileSync(c.require("targetsFile"), "utf8"));
const canary = c.requireNumber("canary");
const waveSize = c.requireNumber("waveSize");
if (c.require("kind") === "noop") {
  const { planWaves } = require("pulumi-azureml-retrain");
  const provider = {
    async create(inputs) { return { id: inputs.name, outs: inputs }; },
    async update(_id, _olds, news) { return { outs: news }; },
  };
  let previous;
  for (const w of planWaves(endpoints.length, canary, waveSize)) {
    previous = new pulumi.dynamic.Resource(provider, `noop-${w.name}`, { name: w.name, version: c.require("version"), targets: endpoints.slice(w.start, w.end) }, { dependsOn: previous ? [previous] : [] }, "bench", "Noop");
  }
} else {
  const { ModelRollout, getLatestModelBlobOutput } = require("pulumi-azureml-retrain");
  const storage = {
    storageAccountName: c.require("storageAccountName"),
    storageBlobEndpoint: c.require("storageBlobEndpoint"),
    storageAccountKey: c.requireSecret("storageAccountKey"),
  };
  const sampleRow = {
    age: "45", workclass: "Private", fnlwgt: "160000", education: "Masters", "education-num": "14",
    "marital-status": "Married-civ-spouse", occupation: "Exec-managerial", relationship: "Husband", race: "White",
    sex: "Male", "capital-gain": "0", "capital-loss": "0", "hours-per-week": "50", "native-country": "United-States",
  };
  const rollout = new ModelRollout("fleet", {
    targets: endpoints.map((e) => ({ classicEndpoint: e })),
    canary,
    waveSize,
    trainedModelName: c.require("trainedModelName"),
    model: getLatestModelBlobOutput({ ...storage, container: c.require("modelContainer"), prefix: c.require("modelPrefix") }),
    workspaceToken: c.requireSecret("workspaceToken"),
    // The bench times promotion by up alone; "reviewed" would hold what no preview showed (issue 17).
    promotion: "gated",
    gate: { minimum: { auc: 0.6 }, maxDrop: { accuracy: 0.2 } },
    verification: { sampleRow, timeoutSeconds: 60, intervalSeconds: 0.5 },
    concurrency: c.getNumber("concurrency") || 16,
    credentialConfig: { workspaceToken: "workspaceToken", storageAccountKey: "storageAccountKey" },
    ...storage,
  });
  exports.verified = rollout.bound.apply((b) => b.filter((x) => x.verifiedBy !== "failed").length);
}
