/**
 * pulumi-azureml-retrain: Pulumi dynamic resources that retrain Azure ML Studio (classic) models and re-bind
 * scoring endpoints to the new model. See provider/README.md.
 */
export { TrainingService } from "./trainingService";
export type { TrainingServiceArgs } from "./trainingService";
export { RetrainingRun } from "./retrainingRun";
export type { RetrainingRunArgs, BlobLocation, GlobalParameterValue } from "./retrainingRun";
export { ScoringEndpoint } from "./scoringEndpoint";
export type { ScoringEndpointArgs } from "./scoringEndpoint";
export { TrainedModelBinding } from "./modelBinding";
export type { TrainedModelBindingArgs, ClassicEndpointTarget, ArmWebServiceTarget, VerificationArgs } from "./modelBinding";
export { getLatestModelBlob, getLatestModelBlobOutput } from "./latestModel";
export type { GetLatestModelBlobArgs, GetLatestModelBlobInputs } from "./latestModel";
export type { ModelBlobRef } from "./validation";
export type { ModelMetrics, UserDelegationKey } from "./blobs";
export type { HttpSettings, RequestLogEntry } from "./client";
export { requestLog, resetRequestLog } from "./client";
