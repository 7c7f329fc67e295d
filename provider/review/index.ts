/** The promotion review as a library: `reviewStack` runs it, `renderMarkdown` renders it; the JSON is the Review. */
export { reviewStack } from "./run";
export type { ReviewOptions } from "./run";
export { buildReview, summaryLine } from "./review";
export type { Review, ReviewInput } from "./review";
export { renderMarkdown } from "./render";
export { EXTRACTORS, changedSteps, extractFacts } from "./rows";
export type { Extractor, GateResult, MetricChange, ModelVersion, OtherChange, PromotionRow, Step, TrainingRow, WriteKind } from "./rows";
