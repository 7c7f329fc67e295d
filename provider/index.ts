/**
 * pulumi-azureml-retrain: Pulumi dynamic resources that retrain Azure ML Studio (classic) models and re-bind
 * scoring endpoints to the new model. See provider/README.md.
 *
 * The resource classes (resources/) hold only a provider stub; the code it runs (lifecycle/) is loaded from the
 * installed package by name inside the provider process.
 */
export { TrainingService } from "./resources/trainingService";
export type { TrainingServiceArgs } from "./resources/trainingService";
export { RetrainingRun } from "./resources/retrainingRun";
export type { RetrainingRunArgs } from "./resources/retrainingRun";
export type { BlobLocation, GlobalParameterValue } from "./lifecycle/retrainingRun";
export { PipelineRun } from "./resources/pipelineRun";
export type { PipelineRunArgs } from "./resources/pipelineRun";
export type { PipelineParameterValue } from "./lifecycle/pipelineRun";
export { ScoringEndpoint } from "./resources/scoringEndpoint";
export type { ScoringEndpointArgs } from "./resources/scoringEndpoint";
export { TrainedModelBinding } from "./resources/trainedModelBinding";
export type { TrainedModelBindingArgs, ClassicEndpointTarget, ArmWebServiceTarget, ModelStorageArgs } from "./resources/trainedModelBinding";
export type { VerificationArgs } from "./lifecycle/trainedModelBinding";
export type { VerificationSample } from "./promotion/samples";
export type { GateArgs, GateCheck, GateOverride, GateVerdict, MetricName } from "./promotion/gate";
export { readModelIdentity, sha256Hex, SHA256_HEX } from "./promotion/modelIdentity";
export type { ModelContent } from "./promotion/modelIdentity";
export { manifestPathFor, metricRangeProblems, parseModelManifest, provenanceOf, readModelManifest } from "./promotion/manifest";
export type { MetricsProvenance, ModelManifest } from "./promotion/manifest";
export { resolveModelContent } from "./promotion/provenance";
export { evaluateGate, METRIC_NAMES } from "./promotion/gate";
export type { HistoryEntry, PinArgs } from "./promotion/history";
export type { PromotionPolicy } from "./promotion/freshModels";
export { ModelRollout, RolloutWave, planWaves } from "./resources/modelRollout";
export type { ModelRolloutArgs, RolloutTarget, RolloutWaveArgs } from "./resources/modelRollout";
export type { WaveBound, WaveTarget } from "./lifecycle/rolloutWaveTypes";
export { RetrainAndPromote } from "./resources/retrainAndPromote";
export type { RetrainAndPromoteArgs } from "./resources/retrainAndPromote";
export { getLatestModelBlob, getLatestModelBlobOutput } from "./latestModel";
export type { GetLatestModelBlobArgs, GetLatestModelBlobInputs } from "./latestModel";
export { pinnedModel } from "./pinnedModel";
export type { ModelPin, PinnedModelStorage } from "./pinnedModel";
export { updateModelPins } from "./automation";
export type { ModelPolicy, ModelSource, UpdateOptions, UpdateResult } from "./automation";
export type { ModelBlobRef } from "./validation";
export type { ModelMetrics, UserDelegationKey } from "./clients/storage";
export type { HttpSettings, RequestLogEntry } from "./transport";
export { requestLog, resetRequestLog } from "./transport";
export { formatPromotion, listAuditedTargets, listPromotions } from "./audit";
export type { AuditedModel, PromotionRecord } from "./audit";
export { bindingTargetKey } from "./ownership";
