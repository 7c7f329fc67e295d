/** The emulator's machine-learning core: the interface agreed in docs/interfaces.md ("ML core"). */
export { DatasetError, IlearnerFormatError } from "./errors";
export { type EvaluationMetrics, parseEvaluationCsv } from "./evaluate";
export { generateAdultCsv } from "./generator";
export { type ScoredRow, type TrainedModel, loadModel } from "./model";
export { type TrainOptions, type TrainResult, trainFromCsv } from "./train";
