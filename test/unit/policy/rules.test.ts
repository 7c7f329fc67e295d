/**
 * The policy pack's rules (policy/rules.ts) on the inputs a preview hands them, including values preview cannot
 * know yet (wrapped in @pulumi/policy's own unknown-checking proxy, as the pack's runtime does).
 */
import {
  PolicyResource,
  TYPES,
  defaultEndpointViolations,
  hasGateRule,
  missingGateViolations,
  modelContainerViolations,
  serviceIdOf,
  stackOf,
  trainingServiceViolations,
} from "../../../policy/rules";

// The policy runtime's proxy for resource inputs (reading an unknown value throws UnknownValueError). Its typings
// mark it internal, so it is typed here.
const { unknownCheckingProxy, unknownStringValue } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T extends object>(props: T): T;
  unknownStringValue: unknown;
};

const WS = "0123456789abcdef0123456789abcdef";
const PREDICTIVE = "fedcba9876543210fedcba9876543210";
const TRAINING = "aaaabbbbccccddddeeeeffff00001111";

function res(type: string, name: string, props: Record<string, unknown>, stack = "dev"): PolicyResource {
  return { type, name, urn: `urn:pulumi:${stack}::proj::${type}::${name}`, props: unknownCheckingProxy(props) };
}
const binding = (props: Record<string, unknown>, stack?: string) =>
  res(TYPES.binding, "b", { targetKind: "classic", workspaceId: WS, webServiceId: PREDICTIVE, endpointName: "retrain01", model: { container: "models" }, ...props }, stack);
const wave = (targets: Array<Record<string, unknown>>, props: Record<string, unknown> = {}, stack?: string) =>
  res(TYPES.wave, "w", { model: { container: "models" }, targets, ...props }, stack);
const classicTarget = (key: string, endpointName: string, extra: Record<string, unknown> = {}) => ({ key, kind: "classic", workspaceId: WS, webServiceId: PREDICTIVE, endpointName, ...extra });

test("the proxy throws on unknown values, as in the pack's runtime (the rules must not)", () => {
  expect(() => binding({ endpointName: unknownStringValue }).props.endpointName).toThrow("can't be known during preview");
});

test("stackOf reads the stack from a URN", () => {
  expect(stackOf("urn:pulumi:prod-eu::proj::pulumi-nodejs:dynamic/azureml:TrainedModelBinding::b")).toBe("prod-eu");
  expect(stackOf("not a urn")).toBe("");
});

describe("no-default-endpoint-target", () => {
  test("refuses `default` and the declared defaultEndpointName, on bindings and on wave targets", () => {
    expect(defaultEndpointViolations(binding({ endpointName: "default" }))).toEqual([expect.stringContaining('TrainedModelBinding "b" targets the default endpoint "default"')]);
    expect(defaultEndpointViolations(binding({ endpointName: "main", defaultEndpointName: "main" }))).toHaveLength(1);
    expect(defaultEndpointViolations(wave([classicTarget("a", "retrain01"), classicTarget("c", "default")]))).toEqual([
      expect.stringContaining('RolloutWave "w" target "c" targets the default endpoint "default"'),
    ]);
  });

  test("passes added endpoints, ARM targets, and endpoint names preview cannot know yet", () => {
    expect(defaultEndpointViolations(binding({}))).toEqual([]);
    expect(defaultEndpointViolations(binding({ targetKind: "arm", endpointName: undefined, webServiceName: "default" }))).toEqual([]);
    // As check records it (lifecycle/quiet.ts): the analyzer sees checked inputs.
    expect(defaultEndpointViolations(binding({ targetKind: undefined, __targetKind: "arm", endpointName: "default" }))).toEqual([]);
    expect(defaultEndpointViolations(wave([{ key: "x", kind: "arm", webServiceName: "default" }]))).toEqual([]);
    expect(defaultEndpointViolations(binding({ endpointName: unknownStringValue }))).toEqual([]);
  });
});

describe("no-training-service-target", () => {
  const trainingService = (apiLocation: unknown) => res(TYPES.trainingService, "t", { apiLocation });
  const location = (id: string) => `https://ussouthcentral.services.azureml.net/workspaces/${WS}/services/${id}`;

  test("serviceIdOf reads the id of a classic ApiLocation", () => {
    expect(serviceIdOf(location(TRAINING))).toBe(TRAINING);
    expect(serviceIdOf(`${location(TRAINING.toUpperCase())}/jobs`)).toBe(TRAINING);
    expect(serviceIdOf("https://example.test/other")).toBeUndefined();
  });

  test("refuses a target whose web service is a TrainingService of the stack, by id or by ApiLocation", () => {
    const byId = trainingServiceViolations([trainingService(location(PREDICTIVE)), binding({})]);
    expect(byId).toEqual([{ urn: binding({}).urn, message: expect.stringContaining(`TrainedModelBinding "b" targets web service ${PREDICTIVE}, which is a training service (the TrainingService "t")`) }]);
    const byLocation = trainingServiceViolations([trainingService(location(TRAINING)), binding({ webServiceId: unknownStringValue, apiLocation: `${location(TRAINING)}/` })]);
    expect(byLocation).toHaveLength(1);
  });

  test("refuses wave targets and services listed in trainingWebServiceIds", () => {
    const w = wave([classicTarget("a", "retrain01"), classicTarget("b", "retrain02", { webServiceId: TRAINING })]);
    expect(trainingServiceViolations([w], [TRAINING.toUpperCase()])).toEqual([
      { urn: w.urn, message: expect.stringContaining('RolloutWave "w" target "b" targets web service aaaabbbbccccddddeeeeffff00001111, which is a training service (listed in trainingWebServiceIds)') },
    ]);
  });

  test("passes predictive targets, and training services whose ApiLocation is still unknown", () => {
    expect(trainingServiceViolations([trainingService(location(TRAINING)), binding({}), wave([classicTarget("a", "x")])])).toEqual([]);
    expect(trainingServiceViolations([trainingService(unknownStringValue), binding({})])).toEqual([]);
  });
});

describe("require-gate-on-prod", () => {
  const gate = { minimum: { auc: 0.85 } };

  test("refuses bindings and waves without a gate rule on stacks starting with the prefix", () => {
    expect(missingGateViolations(binding({}, "prod-eu"))).toEqual([expect.stringContaining('TrainedModelBinding "b" has no gate, and stack "prod-eu" starts with "prod"')]);
    expect(missingGateViolations(wave([], {}, "prod"))).toHaveLength(1);
    // A gate that only declares an override, or no numeric rule, gates nothing.
    expect(missingGateViolations(binding({ gate: { override: "hotfix" } }, "prod"))).toHaveLength(1);
    expect(missingGateViolations(binding({ gate: { minimum: { auc: "0.8" } } }, "prod"))).toHaveLength(1);
    expect(missingGateViolations(binding({}, "live-1"), "live")).toHaveLength(1);
  });

  test("passes gated promotions, other stacks, and other resource types", () => {
    expect(missingGateViolations(binding({ gate }, "prod-eu"))).toEqual([]);
    expect(missingGateViolations(wave([], { gate: { maxDrop: { accuracy: 0.005 }, override: "reviewed" } }, "prod"))).toEqual([]);
    expect(missingGateViolations(binding({}, "dev"))).toEqual([]);
    expect(missingGateViolations(binding({}, "preprod"))).toEqual([]);
    expect(missingGateViolations(res(TYPES.trainingService, "t", {}, "prod"))).toEqual([]);
    expect(hasGateRule(undefined)).toBe(false);
  });
});

describe("allowed-model-containers", () => {
  test("refuses a model from a container not in the list, naming the list", () => {
    expect(modelContainerViolations(binding({ model: { container: "scratch" } }), ["models", "approved"])).toEqual([
      'TrainedModelBinding "b" promotes a model from container "scratch", which is not in allowedModelContainers ("models", "approved"). ' +
        'Promote a model from an allowed container, or add "scratch" to the policy config.',
    ]);
    expect(modelContainerViolations(wave([], { model: { container: "scratch" } }), [])).toEqual([expect.stringContaining("allowedModelContainers (none)")]);
  });

  test("passes allowed containers, and any container when no list is configured", () => {
    expect(modelContainerViolations(binding({}), ["models"])).toEqual([]);
    expect(modelContainerViolations(binding({ model: { container: "scratch" } }), undefined)).toEqual([]);
  });
});
