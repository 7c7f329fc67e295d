import * as pulumi from "@pulumi/pulumi";

type Registered = { type: string; name: string; inputs: Record<string, unknown> };
const registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const extra = args.type.endsWith(":ScoringEndpoint") ? { primaryKey: "pk-secret", secondaryKey: "sk-secret", apiLocation: "https://svc/api" } : {};
      return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
    },
    call() {
      return {};
    },
  },
  "project",
  "stack",
  false,
);

import { ScoringEndpoint } from "../../../provider/resources/scoringEndpoint";
import { provider as scoringEndpointProvider } from "../../../provider/lifecycle/scoringEndpoint";
import { TrainedModelBinding } from "../../../provider/resources/trainedModelBinding";
import { provider as trainedModelBindingProvider } from "../../../provider/lifecycle/trainedModelBinding";
import { RetrainingRun } from "../../../provider/resources/retrainingRun";
import { provider as retrainingRunProvider } from "../../../provider/lifecycle/retrainingRun";
import { TrainingService } from "../../../provider/resources/trainingService";
import { provider as trainingServiceProvider } from "../../../provider/lifecycle/trainingService";
import * as root from "../../../provider";
import { stubProvider } from "../../../provider/resources/stub";

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply((v) => r(v)));
}

const WS = "0123456789abcdef0123456789abcdef";
const SVC = "fedcba9876543210fedcba9876543210";
const model = { container: "models", path: "a/model.ilearner", etag: "E1", lastModified: "2024-05-01T00:00:00Z", size: 10 };

test("the package root exports exactly the agreed names", () => {
  expect(Object.keys(root).sort()).toEqual(
    [
      "PipelineRun", "RetrainingRun", "ScoringEndpoint", "TrainedModelBinding", "TrainingService", "getLatestModelBlob", "getLatestModelBlobOutput", "requestLog", "resetRequestLog",
      "METRIC_NAMES", "evaluateGate", "ModelRollout", "RetrainAndPromote", "RolloutWave", "planWaves",
      "formatPromotion", "listAuditedTargets", "listPromotions", "bindingTargetKey",
      "pinnedModel", "updateModelPins",
      // Model identity and provenance (issue 16).
      "SHA256_HEX", "sha256Hex", "readModelIdentity", "manifestPathFor", "metricRangeProblems", "parseModelManifest", "provenanceOf", "readModelManifest", "resolveModelContent",
    ].sort(),
  );
});

test("ScoringEndpoint registers its token and inputs, and marks keys and the token secret", async () => {
  const ep = new ScoringEndpoint("ep", { workspaceId: WS, webServiceId: SVC, endpointName: "retrain01", workspaceToken: "plain-token" });
  await resolve(ep.urn);
  const r = registered.find((x) => x.name === "ep")!;
  expect(r.type).toBe("pulumi-nodejs:dynamic/azureml:ScoringEndpoint");
  expect(r.inputs).toMatchObject({ resourceName: "ep", owner: "project/stack", workspaceId: WS, webServiceId: SVC, endpointName: "retrain01" });
  expect(await pulumi.isSecret(ep.workspaceToken)).toBe(true);
  // primaryKey/secondaryKey are secret through additionalSecretOutputs, which the engine (not the mocks) applies;
  // the e2e tests check them in exported state.
  expect(await pulumi.isSecret(ep.apiLocation)).toBe(false);
});

test("TrainedModelBinding unpacks a ScoringEndpoint target and keeps the model identity visible", async () => {
  const ep = new ScoringEndpoint("ep2", { workspaceId: WS, webServiceId: SVC, endpointName: "retrain02", workspaceToken: "t" });
  const b = new TrainedModelBinding("bind", {
    endpoint: ep,
    trainedModelName: "Census Model [trained model]",
    model: pulumi.secret(model),
    storageAccountName: "acct",
    storageAccountKey: "plain-key",
  });
  await resolve(b.urn);
  const r = registered.find((x) => x.name === "bind")!;
  expect(r.type).toBe("pulumi-nodejs:dynamic/azureml:TrainedModelBinding");
  expect(r.inputs).toMatchObject({ targetKind: "classic", workspaceId: WS, endpointName: "retrain02", model, trainedModelName: "Census Model [trained model]" });
  // The stack that claims the target and is named in the audit (provider/ownership.ts).
  expect(r.inputs.ownerStack).toMatch(/^([^/]+\/)?project\/stack$/);
  expect(await pulumi.isSecret(b.model)).toBe(false);
});

test("two targets are reported by check, not thrown by the constructor", async () => {
  const b = new TrainedModelBinding("bind2", {
    classicEndpoint: { workspaceId: WS, webServiceId: SVC, endpointName: "x1" },
    armWebService: { subscriptionId: "s", resourceGroup: "rg", webServiceName: "w" },
    trainedModelName: "M",
    model,
    storageAccountName: "acct",
  });
  await resolve(b.urn);
  expect(registered.find((x) => x.name === "bind2")!.inputs.targetKind).toBe("ambiguous");
});

test("RetrainingRun takes its service from a TrainingService", async () => {
  const svc = new TrainingService("svc", { apiLocation: "https://x/services/s", apiKey: "k" });
  const run = new RetrainingRun("run", { trainingService: svc, input: { container: "training", path: "a.csv" }, outputContainer: "models", storageAccountName: "acct", storageAccountKey: "k2" });
  await resolve(run.urn);
  const r = registered.find((x) => x.name === "run")!;
  expect(r.inputs).toMatchObject({ apiLocation: "https://x/services/s", input: { container: "training", path: "a.csv" } });
  expect(await pulumi.isSecret(svc.apiKey)).toBe(true);
});

describe("what goes into state as the provider is a small stub that loads the package by name", () => {
  test.each(["scoringEndpoint", "trainedModelBinding", "retrainingRun", "trainingService", "pipelineRun"] as const)("%s", async (module) => {
    const stub = stubProvider(module);
    const sf = await pulumi.runtime.serializeFunction(() => stub);
    expect(sf.containsSecrets).toBe(false);
    expect(sf.text.length).toBeLessThan(1_500);
    expect(sf.text).toContain("pulumi-azureml-retrain");
    expect(sf.text).toContain("/lifecycle/");
    // No implementation code rides along: no HTTP client, no relative module.
    expect(sf.text).not.toMatch(/axios|require\("\.|AxiosHeaders|ServiceError/);
  });

  test.each([
    ["ScoringEndpoint", scoringEndpointProvider],
    ["TrainedModelBinding", trainedModelBindingProvider],
    ["RetrainingRun", retrainingRunProvider],
    ["TrainingService", trainingServiceProvider],
  ] as const)("%s implementation implements every lifecycle method", (_n, provider) => {
    for (const m of ["check", "diff", "create", "read", "update", "delete"]) expect(typeof (provider as unknown as Record<string, unknown>)[m]).toBe("function");
  });
});

test("RetrainAndPromote with a pinned model rolls out the pin, not the run's output; a bad pin is named before any read", async () => {
  const pin = { ...model, sha256: "ab".repeat(32) };
  const rp = new root.RetrainAndPromote("rp", {
    training: { apiLocation: "https://svc/api", apiKey: "k" } as never,
    dataset: { container: "training", path: "census.csv" },
    outputContainer: "models",
    model: pin,
    targets: [{ classicEndpoint: { workspaceId: WS, webServiceId: SVC, endpointName: "rp01" } }],
    trainedModelName: "Census Model [trained model]",
    storageAccountName: "acct",
  });
  await resolve(rp.rollout.waves[0].urn);
  expect(registered.find((x) => x.name === "rp-rollout-canary")!.inputs.model).toEqual(pin);

  pulumi.runtime.setAllConfig({ "project:model": JSON.stringify({ container: "models", path: "a/model.bin", sha256: "XYZ" }) });
  expect(() => root.pinnedModel(new pulumi.Config(), "model", { storageAccountName: "acct" })).toThrow(
    'pinnedModel: config "model.path" must be the path of an .ilearner blob, got "a/model.bin"; config "model.sha256" must be 64 lowercase hex digits (the SHA-256 of the blob\'s bytes), got "XYZ"',
  );
  expect(() => root.pinnedModel(new pulumi.Config(), "absent", { storageAccountName: "acct" })).toThrow(/config "absent" must be an object \{ container, path, sha256 \}: set it with: pulumi config set --path absent\.container/);
});
