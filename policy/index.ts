/**
 * Policy pack `azureml-retrain`: guard rails for promotions (issue 9). Run it with
 * `pulumi preview --policy-pack policy [--policy-pack-config policy-config.json]` (README "Policy pack").
 * The rules themselves are in rules.ts.
 */
import { PolicyPack, PolicyResource as SdkResource, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import {
  DEFAULT_GATED_STACK_PREFIX,
  PolicyResource,
  defaultEndpointViolations,
  missingGateViolations,
  modelContainerViolations,
  trainingServiceViolations,
} from "./rules";

interface GateConfig { stackPrefix?: string }
interface ContainerConfig { allowedModelContainers?: string[] }
interface TrainingConfig { trainingWebServiceIds?: string[] }

const asResource = (r: ResourceValidationArgs | SdkResource): PolicyResource => ({ type: r.type, name: r.name, urn: r.urn, props: r.props });

function report(messages: string[], reportViolation: ReportViolation): void {
  for (const m of messages) reportViolation(m);
}

new PolicyPack("azureml-retrain", {
  policies: [
    {
      name: "no-default-endpoint-target",
      description: "A TrainedModelBinding or RolloutWave target is never a web service's default endpoint.",
      enforcementLevel: "mandatory",
      validateResource: (args, reportViolation) => report(defaultEndpointViolations(asResource(args)), reportViolation),
    },
    {
      name: "no-training-service-target",
      description: "No binding or rollout target is a training web service (a TrainingService of the stack, or one listed in trainingWebServiceIds).",
      enforcementLevel: "mandatory",
      configSchema: { properties: { trainingWebServiceIds: { type: "array", items: { type: "string" } } } },
      validateStack: (args, reportViolation) => {
        const { trainingWebServiceIds } = args.getConfig<TrainingConfig>();
        for (const v of trainingServiceViolations(args.resources.map(asResource), trainingWebServiceIds)) reportViolation(v.message, v.urn);
      },
    },
    {
      name: "require-gate-on-prod",
      description: `On stacks whose name starts with "${DEFAULT_GATED_STACK_PREFIX}" (config stackPrefix), every binding and rollout wave declares a metric gate.`,
      enforcementLevel: "mandatory",
      configSchema: { properties: { stackPrefix: { type: "string", default: DEFAULT_GATED_STACK_PREFIX } } },
      validateResource: (args, reportViolation) =>
        report(missingGateViolations(asResource(args), args.getConfig<GateConfig>().stackPrefix), reportViolation),
    },
    {
      name: "allowed-model-containers",
      description: "Promoted models come from a container listed in the policy config's allowedModelContainers (no list: any container).",
      enforcementLevel: "mandatory",
      configSchema: { properties: { allowedModelContainers: { type: "array", items: { type: "string" } } } },
      validateResource: (args, reportViolation) =>
        report(modelContainerViolations(asResource(args), args.getConfig<ContainerConfig>().allowedModelContainers), reportViolation),
    },
  ],
});
