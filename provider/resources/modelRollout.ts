/**
 * ModelRollout — one model to many scoring targets in waves (issue 9): a canary wave first, then batches of a
 * declared size, each wave a RolloutWave resource that depends on the one before. The engine starts a wave only
 * after the previous one verified, and a failed wave stops the rest on the old model. The preview shows one update
 * per wave, with the model old → new and the wave's targets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { GateArgs } from "../promotion/gate";
import type { PromotionPolicy } from "../promotion/freshModels";
import type { VerificationArgs } from "../targets/target";
import type { HttpSettings } from "../transport";
import type { ModelBlobRef } from "../validation";
import type { WaveBound, WaveTarget } from "../lifecycle/rolloutWaveTypes";
import type { ArmWebServiceTarget, ClassicEndpointTarget, ModelStorageArgs } from "./trainedModelBinding";
import type { ScoringEndpoint } from "./scoringEndpoint";
import { warnWhileHeld } from "./heldWarning";
import { PREVIEWED_INPUT, previewMarker } from "./previewMarker";
import { stackIdentity } from "./stackIdentity";
import { stubProvider } from "./stub";
import { RolloutPlan, safePlanValues } from "../lifecycle/rolloutPlan";

const SECRET_FIELDS = ["workspaceToken", "armToken", "storageAccountKey", "storageUserDelegationKey"];
const waveProvider = stubProvider("rolloutWave");

/** One target of a rollout: a ScoringEndpoint of this stack, a classic endpoint by hand, or an ARM web service. */
export interface RolloutTarget {
  endpoint?: ScoringEndpoint;
  classicEndpoint?: pulumi.Input<ClassicEndpointTarget>;
  armWebService?: pulumi.Input<ArmWebServiceTarget>;
  /** Default: the rollout's trainedModelName (classic) or armTrainedModelName (ARM). */
  trainedModelName?: pulumi.Input<string>;
  /** Name in state and review; default from the coordinates. */
  key?: string;
}

/** Shared by a rollout's waves: the model, credentials, storage, gate, verification. */
export interface RolloutWaveArgs extends ModelStorageArgs {
  model: pulumi.Input<ModelBlobRef>;
  /** Secret. Management auth for every classic target. */
  workspaceToken?: pulumi.Input<string>;
  /** Secret. ARM bearer token for every ARM target. */
  armToken?: pulumi.Input<string>;
  verification?: pulumi.Input<VerificationArgs>;
  /** Checked at preview for every wave against the model its targets serve, and again before each wave writes. */
  gate?: pulumi.Input<GateArgs>;
  /** `reviewed` (default) or `gated`, as on TrainedModelBinding. */
  promotion?: pulumi.Input<PromotionPolicy>;
  /** Targets bound at once within a wave. Default 16. */
  concurrency?: pulumi.Input<number>;
  http?: pulumi.Input<HttpSettings>;
  credentialConfig?: pulumi.Input<Record<string, string>>;
  /** Who promotes, for the audit of every target (as on TrainedModelBinding). */
  actor?: pulumi.Input<string>;
}

export interface ModelRolloutArgs extends RolloutWaveArgs {
  targets: RolloutTarget[];
  /** How many of the first targets form the canary wave. Default 1; 0 for none. */
  canary?: number;
  /** Targets per wave after the canary. Default: all of them in one wave. */
  waveSize?: number;
  /** Trained-model resource Name of classic targets, e.g. `Census Model [trained model]`. */
  trainedModelName?: pulumi.Input<string>;
  /** Trained-model asset name of ARM targets. Default: trainedModelName. */
  armTrainedModelName?: pulumi.Input<string>;
}

/** One wave: a dynamic resource that binds `model` on each of its targets (lifecycle/rolloutWave.ts). */
export class RolloutWave extends pulumi.dynamic.Resource {
  declare public readonly model: pulumi.Output<ModelBlobRef>;
  declare public readonly targets: pulumi.Output<WaveTarget[]>;
  /** Per target: previous model, bound model, how it was verified. */
  declare public readonly bound: pulumi.Output<WaveBound[]>;
  declare public readonly heldModel: pulumi.Output<ModelBlobRef | undefined>;
  declare public readonly heldReason: pulumi.Output<string | undefined>;

  constructor(name: string, args: RolloutWaveArgs & { targets: pulumi.Input<pulumi.Input<WaveTarget>[]>; wave?: number; waveCount?: number; rolloutPlan?: RolloutPlan }, opts?: pulumi.CustomResourceOptions) {
    const secret = <T>(v: pulumi.Input<T> | undefined) => (v === undefined ? undefined : pulumi.secret(v));
    super(
      waveProvider,
      name,
      {
        resourceName: name,
        wave: args.wave,
        waveCount: args.waveCount,
        rolloutPlan: args.rolloutPlan,
        credentialConfig: args.credentialConfig,
        model: args.model === undefined ? undefined : pulumi.unsecret(pulumi.output(args.model)),
        targets: args.targets,
        workspaceToken: secret(args.workspaceToken),
        armToken: secret(args.armToken),
        storageAccountName: args.storageAccountName,
        storageBlobEndpoint: args.storageBlobEndpoint,
        storageAccountKey: secret(args.storageAccountKey),
        storageUserDelegationKey: secret(args.storageUserDelegationKey),
        sasLifetimeMinutes: args.sasLifetimeMinutes,
        verification: args.verification,
        gate: args.gate,
        promotion: args.promotion,
        concurrency: args.concurrency,
        http: args.http,
        // The stack that claims every target (provider/ownership.ts) and is named in the audit.
        ownerStack: stackIdentity(),
        // Resolves once a preview recorded that it showed this model ("reviewed": promotion/previewLedger.ts).
        [PREVIEWED_INPUT]: previewMarker(name, stackIdentity(), args),
        actor: args.actor,
        bound: undefined,
        heldModel: undefined,
        heldReason: undefined,
        gateVerdict: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_FIELDS] },
      "azureml",
      "RolloutWave",
    );
    warnWhileHeld(this, "RolloutWave", name, this.heldModel, this.heldReason);
  }
}

/** A target as the wave's provider takes it: flat coordinates, no secrets (the rollout's tokens are shared). */
function waveTarget(t: RolloutTarget, args: ModelRolloutArgs): pulumi.Input<WaveTarget> {
  const classicName = t.trainedModelName ?? args.trainedModelName;
  if (t.endpoint) {
    const ep = t.endpoint;
    return pulumi.all([ep.managementBaseUrl, ep.region, ep.workspaceId, ep.webServiceId, ep.endpointName, ep.defaultEndpointName, ep.apiLocation, classicName]).apply(
      ([managementBaseUrl, region, workspaceId, webServiceId, endpointName, defaultEndpointName, apiLocation, trainedModelName]) =>
        ({ key: t.key, kind: "classic", managementBaseUrl, region, workspaceId, webServiceId, endpointName, defaultEndpointName, apiLocation, trainedModelName }) as WaveTarget,
    );
  }
  if (t.classicEndpoint) {
    return pulumi.all([pulumi.output(t.classicEndpoint), classicName]).apply(([c, trainedModelName]) => ({ ...c, key: t.key, kind: "classic", trainedModelName }) as WaveTarget);
  }
  if (t.armWebService) {
    return pulumi.all([pulumi.output(t.armWebService), t.trainedModelName ?? args.armTrainedModelName ?? args.trainedModelName]).apply(
      ([a, trainedModelName]) => ({ ...a, key: t.key, kind: "arm", trainedModelName }) as WaveTarget,
    );
  }
  throw new Error("ModelRollout: each target needs endpoint, classicEndpoint or armWebService");
}

/** The waves a rollout of `count` targets makes: canary first, then batches of waveSize. */
export function planWaves(count: number, canary = 1, waveSize?: number): Array<{ start: number; end: number; name: string }> {
  if (!Number.isInteger(canary) || canary < 0) throw new Error(`ModelRollout: canary must be a whole number of targets, got ${canary}`);
  if (waveSize !== undefined && (!Number.isInteger(waveSize) || waveSize < 1)) throw new Error(`ModelRollout: waveSize must be a whole number of targets of at least 1, got ${waveSize}`);
  const waves: Array<{ start: number; end: number; name: string }> = [];
  const first = Math.min(canary, count);
  if (first > 0) waves.push({ start: 0, end: first, name: "canary" });
  const size = waveSize ?? Math.max(1, count - first);
  for (let start = first, k = 1; start < count; start += size, k++) waves.push({ start, end: Math.min(count, start + size), name: `wave-${k}` });
  return waves;
}

/**
 * One model to many targets in waves. Each wave is verified before the next starts; a failing wave restores the
 * targets it moved and stops the rollout, leaving later waves on the old model.
 */
export class ModelRollout extends pulumi.ComponentResource {
  public readonly waves: RolloutWave[];
  /** Every target's previous model, bound model and verification, wave by wave. */
  public readonly bound: pulumi.Output<WaveBound[]>;

  constructor(name: string, args: ModelRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
    super("azureml-retrain:index:ModelRollout", name, {}, opts);
    if (!args.targets || args.targets.length === 0) throw new Error(`ModelRollout "${name}": no targets: give at least one`);
    const { targets, canary, waveSize, trainedModelName: _t, armTrainedModelName: _a, ...shared } = args;
    // Wrong canary/waveSize values fail the first wave's check (rolloutPlan.ts); the waves build from safe ones.
    const given: RolloutPlan = { canary, waveSize, targets: targets.length };
    const safe = safePlanValues(given);
    const plan = planWaves(targets.length, safe.canary, safe.waveSize);
    this.waves = [];
    for (const [k, w] of plan.entries()) {
      const previous = this.waves[k - 1];
      this.waves.push(
        new RolloutWave(
          `${name}-${w.name}`,
          { ...shared, targets: targets.slice(w.start, w.end).map((t) => waveTarget(t, args)), wave: k, waveCount: plan.length, ...(k === 0 ? { rolloutPlan: given } : {}) },
          { parent: this, dependsOn: previous ? [previous] : [] },
        ),
      );
    }
    this.bound = pulumi.all(this.waves.map((w) => w.bound)).apply((lists) => lists.flat());
    this.registerOutputs({ bound: this.bound });
  }
}
