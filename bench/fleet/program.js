// The fleet benchmark's Pulumi program, installed beside the packed package (bench/fleet.ts).
// kind=binding: `count` added endpoints, each with a TrainedModelBinding on one getLatestModelBlobOutput.
// kind=noop: 2 × count do-nothing dynamic resources (the same resource count: the engine floor); a promotion
// changes `version`, which half of them carry, so it is `count` updates as well.
const pulumi = require("@pulumi/pulumi");
const c = new pulumi.Config();
const count = c.requireNumber("count");
if (c.require("kind") === "noop") {
  const provider = {
    async create(inputs) { return { id: inputs.name, outs: inputs }; },
    async update(_id, _olds, news) { return { outs: news }; },
  };
  for (let i = 0; i < 2 * count; i++) {
    new pulumi.dynamic.Resource(provider, `noop-${i}`, { name: `noop-${i}`, version: i % 2 === 0 ? c.require("version") : "fixed" }, undefined, "bench", "Noop");
  }
} else {
  const { ScoringEndpoint, TrainedModelBinding, getLatestModelBlobOutput } = require("pulumi-azureml-retrain");
  const storage = {
    storageAccountName: c.require("storageAccountName"),
    storageBlobEndpoint: c.require("storageBlobEndpoint"),
    storageAccountKey: c.requireSecret("storageAccountKey"),
  };
  const model = getLatestModelBlobOutput({ ...storage, container: c.require("modelContainer"), prefix: c.require("modelPrefix") });
  const endpoints = [];
  for (let i = 0; i < count; i++) {
    const endpoint = new ScoringEndpoint(`ep-${i}`, {
      workspaceId: c.require("workspaceId"),
      webServiceId: c.require("predictiveServiceId"),
      endpointName: `${c.require("endpointPrefix")}${i}`,
      workspaceToken: c.requireSecret("workspaceToken"),
      managementBaseUrl: c.require("managementBaseUrl"),
      credentialConfig: { workspaceToken: "workspaceToken" },
    });
    new TrainedModelBinding(`bind-${i}`, {
      endpoint,
      trainedModelName: c.require("trainedModelName"),
      model,
      // bench/fleet.ts sets "gated" (promotion by up alone) or "reviewed" (FLEET_PROMOTION=reviewed, issue 17).
      promotion: c.get("promotion") || "gated",
      credentialConfig: { storageAccountKey: "storageAccountKey" },
      ...storage,
    });
    endpoints.push({ name: endpoint.endpointName, apiLocation: endpoint.apiLocation, key: endpoint.primaryKey });
  }
  exports.endpoints = endpoints;
}
