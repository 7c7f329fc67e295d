/**
 * `construct` of the azureml-retrain provider plugin (issue 20): the schema's components (schema.ts), each built
 * from the TypeScript classes a TypeScript program uses, so a YAML program gets the same resources, the same
 * checks and the same error texts. The dynamic resources they create keep their stub provider, which the engine
 * runs in `pulumi-resource-pulumi-nodejs` and which loads this package by name, as for a TypeScript program.
 */
import * as pulumi from "@pulumi/pulumi";
import { ModelRollout, ModelRolloutArgs, RolloutTarget } from "../resources/modelRollout";
import { RetrainAndPromote, RetrainAndPromoteArgs } from "../resources/retrainAndPromote";
import { ScoringEndpoint, ScoringEndpointArgs } from "../resources/scoringEndpoint";
import { TrainedModelBinding, TrainedModelBindingArgs } from "../resources/trainedModelBinding";
import { known, liftInputs, plainNumber } from "./inputs";
import { COMPONENT_TOKENS } from "./schema";

type Inputs = Record<string, unknown>;
type Build = (name: string, inputs: Inputs, opts: pulumi.ComponentResourceOptions) => Promise<pulumi.provider.ConstructResult>;

/** The component a single resource is wrapped in: other languages can only construct components. */
class Wrapper extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
  }

  complete(outputs: Inputs): Inputs {
    this.registerOutputs(outputs);
    return outputs;
  }
}

/** Rollout targets as ModelRollout takes them: a plain array (its length decides the waves), plain keys. */
async function rolloutTargets(value: unknown): Promise<RolloutTarget[]> {
  if (!Array.isArray(value)) return [];
  return Promise.all(
    value.map(async (t: Inputs) => {
      const key = await known(t.key);
      return { ...t, key: typeof key === "string" ? key : undefined } as RolloutTarget;
    }),
  );
}

/** What both rollout components read the same way. */
async function rolloutArgs(inputs: Inputs): Promise<Inputs> {
  const args = await liftInputs(inputs);
  return { ...args, targets: await rolloutTargets(args.targets), canary: await plainNumber(args.canary), waveSize: await plainNumber(args.waveSize) };
}

function rolloutState(rollout: ModelRollout): Inputs {
  return { bound: rollout.bound, held: pulumi.all(rollout.waves.map((w) => w.heldModel)) };
}

const BUILDERS: Record<string, Build> = {
  [COMPONENT_TOKENS.RetrainAndPromote]: async (name, inputs, opts) => {
    const c = new RetrainAndPromote(name, (await rolloutArgs(inputs)) as unknown as RetrainAndPromoteArgs, opts);
    return { urn: c.urn, state: { ...rolloutState(c.rollout), model: c.run.model } };
  },
  [COMPONENT_TOKENS.ModelRollout]: async (name, inputs, opts) => {
    const c = new ModelRollout(name, (await rolloutArgs(inputs)) as unknown as ModelRolloutArgs, opts);
    return { urn: c.urn, state: rolloutState(c) };
  },
  [COMPONENT_TOKENS.ScoringEndpoint]: async (name, inputs, opts) => {
    const c = new Wrapper(COMPONENT_TOKENS.ScoringEndpoint, name, opts);
    const ep = new ScoringEndpoint(name, (await liftInputs(inputs)) as unknown as ScoringEndpointArgs, { parent: c });
    const target = pulumi
      .all([ep.workspaceId, ep.webServiceId, ep.endpointName, ep.region, ep.managementBaseUrl, ep.apiLocation, ep.defaultEndpointName])
      .apply(([workspaceId, webServiceId, endpointName, region, managementBaseUrl, apiLocation, defaultEndpointName]) => ({
        workspaceId, webServiceId, endpointName, region, managementBaseUrl, apiLocation, defaultEndpointName,
      }));
    const state = { target, endpointName: ep.endpointName, apiLocation: ep.apiLocation, primaryKey: ep.primaryKey, trainedModelResourceNames: ep.trainedModelResourceNames };
    return { urn: c.urn, state: c.complete(state) };
  },
  [COMPONENT_TOKENS.TrainedModelBinding]: async (name, inputs, opts) => {
    const c = new Wrapper(COMPONENT_TOKENS.TrainedModelBinding, name, opts);
    const b = new TrainedModelBinding(name, (await liftInputs(inputs)) as unknown as TrainedModelBindingArgs, { parent: c });
    return { urn: c.urn, state: c.complete({ model: b.model, heldModel: b.heldModel, heldReason: b.heldReason, verifiedBy: b.verifiedBy }) };
  },
};

export async function construct(name: string, type: string, inputs: Inputs, opts: pulumi.ComponentResourceOptions): Promise<pulumi.provider.ConstructResult> {
  const build = BUILDERS[type];
  if (!build) throw new Error(`unknown component type ${type}: this provider has ${Object.keys(BUILDERS).join(", ")}`);
  return build(name, inputs, opts);
}
