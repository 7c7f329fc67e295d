/** The model-update automation as a library (issue 17 item 2); the bin is cli.ts. */
export { updateModelPins, pullRequestBody, pullRequestTitle, MAX_BODY_CHARS } from "./update";
export type { PinChange, UpdateOptions, UpdateResult } from "./update";
export { chooseModel, checkModelSource, runIdOf, MODEL_POLICIES } from "./policy";
export type { ModelPolicy, ModelSource } from "./policy";
export { scanSource } from "./scan";
export { readPin, writePin, configKey } from "./pinFile";
export { upsertPullRequest, findPullRequest } from "./forge";
export type { ForgeOptions, PullRequest, PullRequestResult } from "./forge";
