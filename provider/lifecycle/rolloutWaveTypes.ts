/** The shapes a RolloutWave's provider takes and records (the component in resources/modelRollout.ts builds them). */
import type { UserDelegationKey } from "../clients/storage";
import type { GateArgs, GateVerdict } from "../promotion/gate";
import type { PromotionPolicy } from "../promotion/freshModels";
import type { ModelStorageInputs, TargetCoordinates, VerificationArgs } from "../targets/target";
import type { HttpSettings } from "../transport";
import type { ModelBlobRef } from "../validation";
import type { RolloutPlan } from "./rolloutPlan";

/** One scoring target of a wave: a classic added endpoint or an ARM web service, with its trained-model name. */
export interface WaveTarget extends TargetCoordinates {
  /** Stable name in state and review; default from the coordinates (`classic/<ws>/<svc>/<endpoint>`, `arm/<sub>/<rg>/<name>`). */
  key?: string;
  kind: "classic" | "arm";
  trainedModelName: string;
}

export interface RolloutWaveInputs extends ModelStorageInputs {
  credentialConfig?: Partial<Record<string, string>>;
  resourceName?: string;
  /** 0-based position in the rollout, and the number of waves, for messages. */
  wave?: number;
  waveCount?: number;
  /** The first wave's: the rollout's canary and waveSize as given, checked here (rolloutPlan.ts). */
  rolloutPlan?: RolloutPlan;
  model: ModelBlobRef;
  targets: WaveTarget[];
  /** Secret. Classic management auth for every classic target (PATCH, read-back); probes use each endpoint's key. */
  workspaceToken?: string;
  /** Secret. ARM bearer token for every ARM target. */
  armToken?: string;
  verification?: VerificationArgs;
  gate?: GateArgs;
  promotion?: PromotionPolicy;
  /** Targets bound at once. Default 16. */
  concurrency?: number;
  http?: HttpSettings;
  /** Set by check: a reviewed promotion held in this up, and why. */
  heldModel?: ModelBlobRef;
  heldReason?: string;
  /** The stack that claims every target (ownership.ts) and is named in the audit; `actor` as on TrainedModelBinding. */
  ownerStack?: string;
  actor?: string;
}

/** What a wave recorded for one target. */
export interface WaveBound {
  key: string;
  previousModel?: { container: string; path: string; etag: string };
  model: { container: string; path: string; etag: string; sha256?: string };
  /** How the write was verified, `held` for a held promotion, `refresh` when refresh saw another model. */
  verifiedBy: string;
  boundAt?: string;
}

export interface RolloutWaveState extends RolloutWaveInputs {
  bound: WaveBound[];
  gateVerdict?: GateVerdict;
}
