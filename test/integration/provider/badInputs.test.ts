/**
 * The bad-input table (issue 11): wrong inputs across every resource and getLatestModelBlob, each run through what
 * preview runs (the provider's `check`, with its preview-time reads against the emulator). Each row asserts the
 * property the message names, a message that says what is wrong and what to do, and zero writes on the emulator's
 * request log (management, BES, ARM, pipelines). test/e2e/badInputs.test.ts sends a subset through the engine.
 */
import { SAMPLE_ROW, emulatorWrites, resetEmulatorRequests } from "../../support/promotion";
import { useEmulator, Manifest } from "../../support/emulator";
import { uniqueName } from "../../support/storage";
import { getLatestModelBlob } from "../../../provider/latestModel";
import { provider as trainingService } from "../../../provider/lifecycle/trainingService";
import { provider as retrainingRun } from "../../../provider/lifecycle/retrainingRun";
import { provider as pipelineRun } from "../../../provider/lifecycle/pipelineRun";
import { provider as scoringEndpoint, ScoringEndpointInputs, ScoringEndpointState } from "../../../provider/lifecycle/scoringEndpoint";
import { provider as trainedModelBinding } from "../../../provider/lifecycle/trainedModelBinding";
import { provider as rolloutWave } from "../../../provider/lifecycle/rolloutWave";
import type { ModelBlobRef } from "../../../provider/validation";

const emulator = useEmulator();
// Every surface that can be written to: a RetrainingRun's write would be a BES job submission.
const ALL_WRITE_SURFACES = ["management", "bes", "arm", "pipelines"];
const FAST = { retryBaseDelayMs: 10, maxRetries: 1, timeoutSeconds: 10 };
const WRONG_KEY = Buffer.from("not-the-storage-account-key-0123456789").toString("base64");

/** What the rows build on: the manifest, an added endpoint (created before counting), the seed model. */
interface Ctx { m: Manifest; endpoint: ScoringEndpointState; model: ModelBlobRef }
const ctx = {} as Ctx;

const storage = (m: Manifest) => ({ storageAccountName: m.storage.accountName, storageBlobEndpoint: m.storage.blobEndpoint, storageAccountKey: m.storage.accountKey });
const datasetPath = (m: Manifest) => m.seed.datasetRelativeLocation.split("/").slice(1).join("/");
const delegationKey = (expiresInMinutes: number) => ({
  signedObjectId: "o", signedTenantId: "t", signedService: "b", signedVersion: "2021-08-06", value: "a2V5",
  signedStartsOn: new Date(Date.now() - 60_000).toISOString(),
  signedExpiresOn: new Date(Date.now() + expiresInMinutes * 60_000).toISOString(),
});

/** Valid inputs per resource, as the classes hand them to check. */
const VALID = {
  TrainingService: ({ m }: Ctx) => ({ resourceName: "training", apiLocation: m.classic.trainingService.apiLocation, apiKey: m.classic.trainingService.primaryKey, http: FAST }),
  RetrainingRun: ({ m }: Ctx) => ({
    resourceName: "retrain", apiLocation: m.classic.trainingService.apiLocation, apiKey: m.classic.trainingService.primaryKey,
    input: { container: m.containers.training, path: datasetPath(m) }, outputContainer: m.containers.models, ...storage(m), http: FAST,
  }),
  PipelineRun: ({ m }: Ctx) => ({
    resourceName: "pipeline", apiBaseUrl: m.pipelines.baseUrl,
    workspaceArmId: `/subscriptions/${m.pipelines.subscriptionId}/resourceGroups/${m.pipelines.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${m.pipelines.workspaceName}`,
    pipelineEndpointId: m.pipelines.pipelineEndpointId, experimentName: m.pipelines.experimentName, dataPathParameter: m.pipelines.dataPathParameter,
    input: { container: m.containers.training, path: datasetPath(m) }, armToken: m.pipelines.token, ...storage(m), http: FAST,
  }),
  ScoringEndpoint: ({ m }: Ctx) => ({
    resourceName: "scoring", owner: "bad/inputs", workspaceId: m.classic.workspaceId, webServiceId: m.classic.predictiveService.id, endpointName: uniqueName("bad"),
    workspaceToken: m.classic.workspaceToken, region: m.classic.region, managementBaseUrl: m.classic.managementBaseUrl, http: FAST,
  }),
  TrainedModelBinding: ({ m, endpoint, model }: Ctx) => ({
    resourceName: "binding", targetKind: "classic", managementBaseUrl: endpoint.managementBaseUrl, region: endpoint.region, workspaceId: endpoint.workspaceId,
    webServiceId: endpoint.webServiceId, endpointName: endpoint.endpointName, apiLocation: endpoint.apiLocation, endpointKey: endpoint.primaryKey,
    trainedModelName: m.classic.predictiveService.trainedModelResourceName, model, ...storage(m), http: FAST,
  }),
  ArmBinding: ({ m, model }: Ctx) => ({
    resourceName: "arm-binding", targetKind: "arm", subscriptionId: m.arm.subscriptionId, resourceGroup: m.arm.resourceGroup, webServiceName: m.arm.webServiceName,
    armBaseUrl: m.arm.baseUrl, armToken: m.arm.token, trainedModelName: m.arm.trainedModelAssetName, model, ...storage(m), http: FAST,
  }),
  getLatestModelBlob: ({ m }: Ctx) => ({ ...storage(m), container: m.containers.models, prefix: "seed/", http: FAST }),
  RolloutWave: ({ m, model }: Ctx) => ({
    resourceName: "wave", model, armToken: m.arm.token, ...storage(m), http: FAST,
    targets: [{ kind: "arm", subscriptionId: m.arm.subscriptionId, resourceGroup: m.arm.resourceGroup, webServiceName: m.arm.webServiceName, armBaseUrl: m.arm.baseUrl, trainedModelName: m.arm.trainedModelAssetName }],
  }),
};
type Resource = keyof typeof VALID;
type Patch = Record<string, unknown> | ((c: Ctx) => Record<string, unknown>);

/** [resource, what is wrong, the change to valid inputs, the property named, what the message says (wrong + fix)]. */
const ROWS: Array<[Resource, string, Patch, string, RegExp]> = [
  ["TrainingService", "apiLocation ending in /jobs", (c) => ({ apiLocation: `${c.m.classic.trainingService.apiLocation}/jobs` }), "apiLocation", /^apiLocation ends in \/jobs\. Give the ApiLocation without \/jobs: the provider appends \/jobs\?api-version=2\.0/],
  ["TrainingService", "no apiKey", { apiKey: "" }, "apiKey", /^apiKey is required\. Pass the training endpoint's PrimaryKey as a secret\.$/],
  ["TrainingService", "the same output for model and evaluation", { evaluationOutputName: "output1" }, "evaluationOutputName", /equals modelOutputName\. The model and the evaluation are different outputs/],
  ["TrainingService", "an output name with a slash", { inputName: "in/put" }, "inputName", /"in\/put" is not a web service input\/output name\. Use the module name shown in the service's API help page/],
  ["TrainingService", "a wrong apiKey", { apiKey: WRONG_KEY }, "apiKey", /preview validation failed: 401 .*Check the endpoint key: use the endpoint's PrimaryKey/],
  ["RetrainingRun", "no training service", { apiLocation: undefined }, "apiLocation", /^apiLocation is required\. Give trainingService, or apiLocation and apiKey\.$/],
  ["RetrainingRun", "no input", { input: undefined }, "input", /^input is required\. Give the training dataset blob as \{ container, path \}\.$/],
  ["RetrainingRun", "a dataset that does not exist", (c) => ({ input: { container: c.m.containers.training, path: "nope/none.csv" } }), "input.path", /dataset blob training\/nope\/none\.csv does not exist\. Upload the dataset first, or fix input\.container\/input\.path/],
  ["RetrainingRun", "a parameter that is not a scalar", { globalParameters: { a: { b: 1 } } }, "globalParameters.a", /^globalParameters\.a is not a string, number or boolean\. Give scalar values/],
  ["RetrainingRun", "no storage credential", { storageAccountKey: undefined }, "storageAccountKey", /^no storage credential\. Pass storageAccountKey \(or storageUserDelegationKey\) as a secret\.$/],
  ["RetrainingRun", "a zero timeout", { timeoutMinutes: 0 }, "timeoutMinutes", /^timeoutMinutes 0 is out of range\. Give a positive number up to 1440\.$/],
  ["RetrainingRun", "an output container with capitals", { outputContainer: "Models_1" }, "outputContainer", /container "Models_1" is not a valid container name\. Use 3–63 lowercase letters, digits and single hyphens/],
  ["RetrainingRun", "an expired delegation key", { storageAccountKey: undefined, storageUserDelegationKey: delegationKey(-5) }, "storageUserDelegationKey", /the user-delegation key expired at .*Get a new user-delegation key/],
  ["RetrainingRun", "a delegation key shorter than the run", { storageAccountKey: undefined, storageUserDelegationKey: delegationKey(60), timeoutMinutes: 60 }, "storageUserDelegationKey", /before the 90-minute SAS .*shorten the SAS/],
  ["RetrainingRun", "a wrong storage key", { storageAccountKey: WRONG_KEY }, "storageAccountKey", /read the dataset blob failed: 403 .*Check storageAccountName and the storage key\. Nothing was written/],
  ["PipelineRun", "no pipeline", { pipelineEndpointId: undefined }, "pipelineEndpointId", /^no pipeline to run\. /],
  ["PipelineRun", "two pipelines", { publishedPipelineId: "pp-1" }, "publishedPipelineId", /^both pipelineEndpointId and publishedPipelineId are given\. /],
  ["PipelineRun", "a version of a published pipeline", { pipelineEndpointId: undefined, publishedPipelineId: "pp-1", pipelineVersion: "1" }, "pipelineVersion", /^pipelineVersion applies to a pipeline endpoint only\. Drop pipelineVersion, or use pipelineEndpointId\.$/],
  ["PipelineRun", "a classic workspace id", { workspaceArmId: "0123456789abcdef0123456789abcdef" }, "workspaceArmId", /is not a workspace ARM id\. Give \/subscriptions\/\{sub\}\/resourceGroups/],
  ["PipelineRun", "no experiment", { experimentName: "" }, "experimentName", /^experimentName is required\. Name the experiment the run is recorded under\.$/],
  ["PipelineRun", "no data-path parameter", { dataPathParameter: undefined }, "dataPathParameter", /^dataPathParameter is required\. Name the pipeline parameter that takes the dataset's path/],
  ["PipelineRun", "the data-path parameter set by hand too", (c) => ({ parameterAssignments: { [c.m.pipelines.dataPathParameter]: "x.csv" } }), "parameterAssignments.training_data_path", /^the data-path parameter is set twice\. Leave it out of parameterAssignments: it is set from input\.path\.$/],
  ["PipelineRun", "a parameter that is not a scalar", { parameterAssignments: { depth: { a: 1 } } }, "parameterAssignments.depth", /^parameterAssignments\.depth is not a string or number\. Give scalar values/],
  ["PipelineRun", "no dataset path", (c) => ({ input: { container: c.m.containers.training, path: "" } }), "input.path", /^input\.path is required\. Give the dataset's path inside the container/],
  ["PipelineRun", "a bad dataset container", { input: { container: "Training_Data", path: "a.csv" } }, "input.container", /container "Training_Data" is not a valid container name/],
  ["PipelineRun", "no token", { armToken: undefined }, "armToken", /^armToken is required\. Pass an Azure AD access token for https:\/\/management\.azure\.com\/ as a secret\.$/],
  ["PipelineRun", "no storage key", { storageAccountKey: undefined }, "storageAccountKey", /^storageAccountKey is required\. Pass storageAccountKey as a secret/],
  ["PipelineRun", "a model output without a path", { modelOutput: { container: "models", path: "" } }, "modelOutput.path", /^modelOutput\.path is required\. Give the model's path, e.g\. census\/\{runId\}\/model\.ilearner\.$/],
  ["ScoringEndpoint", "the default endpoint", { endpointName: "default" }, "endpointName", /^"default" is the default endpoint, which cannot be updated\. Add an endpoint to the predictive web service \(a ScoringEndpoint\) and bind models to that one/],
  ["ScoringEndpoint", "a custom default endpoint name", { endpointName: "main", defaultEndpointName: "main" }, "endpointName", /^"main" is the default endpoint, which cannot be updated\. /],
  ["ScoringEndpoint", "a name that breaks the rule", { endpointName: "-Bad_Name-" }, "endpointName", /^endpoint name "-Bad_Name-" breaks the naming rule\. Use at most 24 lowercase letters, digits and hyphens, not starting or ending with a hyphen/],
  ["ScoringEndpoint", "a name over 24 characters", { endpointName: "a".repeat(25) }, "endpointName", /^endpoint name "a{25}" breaks the naming rule\. /],
  ["ScoringEndpoint", "a dashed workspace id", { workspaceId: "01234567-89ab-cdef-0123-456789abcdef" }, "workspaceId", /is not a classic id\. Give the workspace id as 32 lowercase hex characters without dashes/],
  ["ScoringEndpoint", "an Azure region", { region: "eastus2" }, "region", /^region "eastus2" is not a Studio \(classic\) region\. Use one of ussouthcentral, europewest/],
  ["ScoringEndpoint", "a throttle level that does not exist", { throttleLevel: "Medium" }, "throttleLevel", /^throttleLevel "Medium" is not one of Low, High\. Use Low or High/],
  ["ScoringEndpoint", "a trace level that does not exist", { diagnosticsTraceLevel: "Verbose" }, "diagnosticsTraceLevel", /^diagnosticsTraceLevel "Verbose" is not one of None, Error, All\. Use None, Error or All/],
  ["ScoringEndpoint", "concurrency over the Low cap", { maxConcurrentCalls: 10 }, "maxConcurrentCalls", /^maxConcurrentCalls 10 exceeds 4, the cap of throttleLevel Low\. Set throttleLevel to "High" or maxConcurrentCalls to 4 or less/],
  ["ScoringEndpoint", "concurrency out of range", { throttleLevel: "High", maxConcurrentCalls: 201 }, "maxConcurrentCalls", /^maxConcurrentCalls 201 is out of range\. Give an integer from 1 to 200/],
  ["ScoringEndpoint", "no workspace token", { workspaceToken: "" }, "workspaceToken", /^workspaceToken is required\. Pass the workspace authorization token as a secret/],
  ["ScoringEndpoint", "a management URL that is not http(s)", { managementBaseUrl: "ftp://x" }, "managementBaseUrl", /^managementBaseUrl "ftp:\/\/x" is not an http\(s\) URL without query string\. Give managementBaseUrl as a base URL/],
  ["ScoringEndpoint", "a description over the service's limit", { description: "x".repeat(2001) }, "description", /^description has 2001 characters\. Keep it to \d+ characters: the service takes 2000/],
  ["ScoringEndpoint", "the training web service", (c) => ({ webServiceId: c.m.classic.trainingService.id }), "webServiceId", /has no updatable resources: it is a training web service\. This Web Service has no updatable resources: add the endpoint to the predictive web service/],
  ["ScoringEndpoint", "a name another owner's endpoint has", (c) => ({ endpointName: c.endpoint.endpointName }), "endpointName", /already exists on web service [0-9a-f]{32}\. Set adopt: true to take it over without re-creating it, or choose another name/],
  ["ScoringEndpoint", "adopt with nothing to adopt", { adopt: true }, "adopt", /^adopt is true but there is no endpoint "[^"]+" to adopt\. Check endpointName, or remove adopt to create the endpoint/],
  ["ScoringEndpoint", "a wrong workspace token", { workspaceToken: WRONG_KEY }, "workspaceToken", /preview read failed: 401 ManagementRequestUnauthorized: .*Check workspaceToken/],
  ["ScoringEndpoint", "the management host of another region", (c) => ({ region: "europewest", managementBaseUrl: c.m.classic.managementBaseUrl.replace(/\/[a-z]+$/, "/europewest") }), "region", /404 WorkspaceNotFound: .*Check workspaceId and region/],
  ["TrainedModelBinding", "no target", { targetKind: undefined }, "endpoint", /^no target given\. Give exactly one of endpoint \(a ScoringEndpoint\), classicEndpoint or armWebService\.$/],
  ["TrainedModelBinding", "two targets", { targetKind: "ambiguous" }, "endpoint", /^more than one target given\. Give exactly one of/],
  ["TrainedModelBinding", "a default endpoint target", { endpointName: "default" }, "endpointName", /^"default" is the default endpoint, which cannot be updated\. /],
  ["TrainedModelBinding", "a model that is not an .ilearner", (c) => ({ model: { ...c.model, path: "seed/evaluation.csv" } }), "model.path", /^model blob "seed\/evaluation\.csv" is not an \.ilearner\. Bind the trained-model output of a training run/],
  ["TrainedModelBinding", "a model given as a path string", { model: "models/seed/model.ilearner" }, "model", /^model is the string "models\/seed\/model\.ilearner", not a model reference\. Pass a ModelBlobRef/],
  ["TrainedModelBinding", "no model", { model: undefined }, "model", /^model is required\. Pass the model blob from a RetrainingRun or PipelineRun \(run\.model\) or from getLatestModelBlob/],
  ["TrainedModelBinding", "a model without etag or sha256", (c) => ({ model: { ...c.model, etag: "", sha256: undefined } }), "model.etag", /^model\.etag is required\. Take the model from getLatestModelBlob or a RetrainingRun/],
  ["TrainedModelBinding", "a pin by a sha256 the blob does not hold", (c) => ({ model: { container: c.model.container, path: c.model.path, sha256: "0".repeat(64) } }), "model.sha256", /holds other bytes than the program declares: expected sha256 0{64}, actual sha256 [0-9a-f]{64} \(etag [^)]+\)\. Point the pin at the blob/],
  ["TrainedModelBinding", "a model container with capitals", (c) => ({ model: { ...c.model, container: "Models_1" } }), "model.container", /^container "Models_1" is not a valid container name\. /],
  ["TrainedModelBinding", "no endpoint credential", { endpointKey: undefined }, "endpointKey", /^no credential for the classic endpoint\. Pass endpointKey \(the endpoint's PrimaryKey\) or workspaceToken as a secret\.$/],
  ["TrainedModelBinding", "no storage credential", { storageAccountKey: undefined }, "storageAccountKey", /^no storage credential to mint the read SAS\. Pass storageAccountKey or storageUserDelegationKey as a secret\.$/],
  ["TrainedModelBinding", "an Azure region", { region: "eastus" }, "region", /^region "eastus" is not a Studio \(classic\) region\. /],
  ["TrainedModelBinding", "a zero SAS lifetime", { sasLifetimeMinutes: 0 }, "sasLifetimeMinutes", /^sasLifetimeMinutes 0 is out of range\. Give 1 to 1440 minutes/],
  ["TrainedModelBinding", "no trained-model name", { trainedModelName: "" }, "trainedModelName", /^trainedModelName is required\. Give the trained model's resource Name \(classic\) or asset name \(ARM\)/],
  ["TrainedModelBinding", "a negative verification timeout", { verification: { timeoutSeconds: -1 } }, "verification.timeoutSeconds", /^verification\.timeoutSeconds -1 is out of range\. Give a positive number up to 3600\.$/],
  ["TrainedModelBinding", "a sample row that is a list", { verification: { sampleRow: [] } }, "verification.sampleRow", /^verification\.sampleRow is not a row\. Give one input row as \{ column: value, \.\.\. \}\.$/],
  ["TrainedModelBinding", "a storage account name with capitals", { storageAccountName: "My_Account" }, "storageAccountName", /^storage account "My_Account" is not a valid account name\. Use 3–24 lowercase letters and digits\.$/],
  ["TrainedModelBinding", "an expired delegation key", { storageAccountKey: undefined, storageUserDelegationKey: delegationKey(-5) }, "storageUserDelegationKey", /the user-delegation key expired at .*Get a new user-delegation key/],
  ["TrainedModelBinding", "a delegation key that expires before the SAS", { storageAccountKey: undefined, storageUserDelegationKey: delegationKey(10) }, "storageUserDelegationKey", /before the 15-minute SAS minted from it would .*Get a key valid for longer, or shorten the SAS \(sasLifetimeMinutes on a binding/],
  ["TrainedModelBinding", "unreachable storage", { storageBlobEndpoint: "http://127.0.0.1:1/devstoreaccount1" }, "storageBlobEndpoint", /preview read of the model blob failed: no response ECONNREFUSED.*Nothing was written\.$/],
  ["TrainedModelBinding", "a model blob that does not exist", (c) => ({ model: { ...c.model, path: "seed/missing/model.ilearner" } }), "model.path", /model blob models\/seed\/missing\/model\.ilearner does not exist in storage account \w+\. Check model\.container and model\.path/],
  ["TrainedModelBinding", "a model that changed since it was resolved", (c) => ({ model: { ...c.model, etag: "0xSTALE", sha256: undefined } }), "model.etag", /changed since it was resolved: it was etag 0xSTALE, it is now models\/seed\/model\.ilearner \(etag [^,]+, sha256 [0-9a-f]{12}…\)\. Run preview again/],
  ["TrainedModelBinding", "a trained-model name the endpoint does not have", { trainedModelName: "census model [Trained Model]" }, "trainedModelName", /^"census model \[Trained Model\]" is not an updatable resource of endpoint "[^"]+"\. Use the exact Name, one of "/],
  ["TrainedModelBinding", "an endpoint that does not exist", (c) => ({ endpointName: "nosuchendpoint", endpointKey: undefined, workspaceToken: c.m.classic.workspaceToken }), "endpointName", /^endpoint "nosuchendpoint" does not exist on web service [0-9a-f]{32}\. Create it with a ScoringEndpoint, or fix endpointName\.$/],
  ["TrainedModelBinding", "a wrong storage key", { storageAccountKey: WRONG_KEY }, "storageAccountKey", /preview read of the model blob failed: 403 .*Nothing was written\.$/],
  ["TrainedModelBinding", "a gate on a metric the evaluation has not", { gate: { minimum: { logloss: 0.5 } } }, "gate.minimum.logloss", /^"logloss" is not a metric of the evaluation output\. Use one of auc, accuracy/],
  ["TrainedModelBinding", "a gate minimum above 1", { gate: { minimum: { auc: 1.5 } } }, "gate.minimum.auc", /^gate\.minimum\.auc is 1\.5, not a number from 0 to 1\. Give the lowest acceptable value, e\.g\. 0\.85\.$/],
  ["TrainedModelBinding", "a gate override that names no model", { gate: { minimum: { auc: 0.8 }, override: "accepted" } }, "gate.override", /^gate\.override must name the model it approves and why\. Give override: \{ sha256: /],
  ["TrainedModelBinding", "a gate override without a reason", { gate: { minimum: { auc: 0.8 }, override: { sha256: "a".repeat(64), reason: " " } } }, "gate.override.reason", /^gate\.override\.reason must be the reason for the override\. Give override: /],
  ["TrainedModelBinding", "a promotion policy that does not exist", { promotion: "auto" }, "promotion", /^promotion "auto" is not one of reviewed, gated, pinned\. Use "reviewed" \(hold a model no preview showed\), "gated" \(promote at apply when the gate passes\) or "pinned"/],
  ["TrainedModelBinding", "a pin that is neither previous nor a model", { pin: 42 }, "pin", /^pin must be "previous" or \{ path, etag\? \} of a model in the binding's history\. Give pin: "previous"/],
  ["TrainedModelBinding", "a rollback with nothing to roll back to", { pin: "previous" }, "pin", /^no model was declared before the current one, so there is nothing to roll back to\. Pin a model by \{ path, etag \}/],
  ["TrainedModelBinding", "a sample that expects nothing", { verification: { samples: [{ row: { age: 39 } }] } }, "verification.samples[0]", /^verification\.samples\[0\] expects nothing\. Give expectLabel, probabilityBetween or both/],
  ["TrainedModelBinding", "a sample row that lacks columns of the scoring input", { verification: { sampleRow: { age: 39, workclass: "State-gov", education: "Bachelors" } } }, "verification.sampleRow", /^verification\.sampleRow lacks 11 columns of scoring input input1 \(fnlwgt, education-num, .*\)\. Nothing was written\. Give every column of the input, as the service's swagger lists them: age, workclass, fnlwgt/],
  ["TrainedModelBinding", "a sample with a column the input does not take", { verification: { samples: [{ row: { ...SAMPLE_ROW, salary: 1 }, expectLabel: ">50K" }] } }, "verification.samples[0].row", /^verification\.samples\[0\]\.row has column the input does not take \(salary\)\. Nothing was written/],
  ["TrainedModelBinding", "a mistyped workspace token beside the endpoint key", { workspaceToken: WRONG_KEY }, "workspaceToken", /preview read of the target with workspaceToken failed: 401 .*Pass the workspace's authorization token as workspaceToken, or leave workspaceToken out/],
  ["TrainedModelBinding", "import: instead of adoption", { __importRefused: "some-endpoint" }, "import", /^import "some-endpoint" is not supported: .*declare a ScoringEndpoint with adopt: true/],
  ["ScoringEndpoint", "import: instead of adopt", { __importRefused: "ws/svc/ep" }, "import", /^import "ws\/svc\/ep" is not supported: .*Remove the import option\. To take over an existing classic endpoint, declare a ScoringEndpoint with adopt: true/],
  ["RolloutWave", "a canary larger than the rollout", { rolloutPlan: { canary: 5, targets: 1 } }, "rolloutPlan.canary", /^canary 5 is more than the 1 target of the rollout\. Give at most 1, or add the targets the canary should cover\.$/],
  ["RolloutWave", "a wave size of 0", { rolloutPlan: { waveSize: 0, targets: 1 } }, "rolloutPlan.waveSize", /^waveSize 0 is not a whole number of targets of at least 1\. Give the number of targets per wave after the canary/],
  ["RolloutWave", "a fractional canary", { rolloutPlan: { canary: 1.5, targets: 1 } }, "rolloutPlan.canary", /^canary 1\.5 is not a whole number of targets\. Give 0 \(no canary\) up to 1/],
  ["ArmBinding", "a subscription id that is not a GUID", { subscriptionId: "abc" }, "subscriptionId", /^subscriptionId "abc" is not a GUID\. ARM subscription ids are dashed GUIDs/],
  ["ArmBinding", "no ARM token", { armToken: undefined }, "armToken", /^armToken is required\. Pass an Azure AD token for https:\/\/management\.azure\.com\/ as a secret\.$/],
  ["ArmBinding", "a web service that does not exist", { webServiceName: "no-such-service" }, "webServiceName", /^ARM web service "no-such-service" does not exist in resource group \S+\. Check subscriptionId, resourceGroup and webServiceName\.$/],
  ["getLatestModelBlob", "a container name with capitals", { container: "Models_1" }, "container", /^getLatestModelBlob: container: container "Models_1" is not a valid container name\. Use 3–63 lowercase letters/],
  ["getLatestModelBlob", "no storage account", { storageAccountName: "" }, "storageAccountName", /^getLatestModelBlob: storageAccountName: storageAccountName is required\. Give the storage account that holds the models\.$/],
  ["getLatestModelBlob", "a container that does not exist", { container: "no-such-container" }, "container", /container "no-such-container" does not exist in storage account \w+\. Check the container name\./],
  ["getLatestModelBlob", "a prefix without models", { prefix: "nothing-here/" }, "prefix", /no \.ilearner blob under models\/nothing-here\/\. Run a training job \(RetrainingRun\) first, or fix container\/prefix\./],
  ["getLatestModelBlob", "a wrong storage key", { storageAccountKey: WRONG_KEY }, "storageAccountKey", /list blobs failed: 403 .*Check storageAccountName, storageBlobEndpoint and the key/],
];

const PROVIDERS = { TrainingService: trainingService, RetrainingRun: retrainingRun, PipelineRun: pipelineRun, ScoringEndpoint: scoringEndpoint, TrainedModelBinding: trainedModelBinding, ArmBinding: trainedModelBinding, RolloutWave: rolloutWave };

/**
 * What preview reports: check failures as `{ property, reason }`; getLatestModelBlob's error (it runs in the program,
 * so preview prints its text) once for each of its arguments the text names.
 */
async function previewFailures(resource: Resource, inputs: Record<string, unknown>): Promise<Array<{ property: string; reason: string }>> {
  if (resource === "getLatestModelBlob") {
    const error = await getLatestModelBlob(inputs as never).then(() => undefined, (e: Error) => e.message);
    if (error === undefined) return [];
    return Object.keys(VALID.getLatestModelBlob(ctx)).filter((p) => new RegExp(`\\b${p}\\b`).test(error)).map((property) => ({ property, reason: error }));
  }
  const checked = await PROVIDERS[resource].check!({} as never, inputs as never);
  return (checked.failures ?? []) as Array<{ property: string; reason: string }>;
}

beforeAll(async () => {
  ctx.m = emulator.current.m;
  const checked = await scoringEndpoint.check!({} as never, { ...VALID.ScoringEndpoint(ctx), owner: undefined } as never);
  ctx.endpoint = (await scoringEndpoint.create!(checked.inputs as ScoringEndpointInputs)).outs as ScoringEndpointState;
  ctx.model = await getLatestModelBlob(VALID.getLatestModelBlob(ctx));
});

test("the table has at least 30 distinct wrong inputs, on every resource", () => {
  expect(new Set(ROWS.map(([r, wrong]) => `${r}: ${wrong}`)).size).toBe(ROWS.length);
  expect(ROWS.length).toBeGreaterThanOrEqual(30);
  expect(new Set(ROWS.map(([r]) => r))).toEqual(new Set(Object.keys(VALID)));
});

test.each(Object.keys(VALID) as Resource[])("valid %s inputs pass", async (resource) => {
  expect(await previewFailures(resource, VALID[resource](ctx))).toEqual([]);
});

test.each(ROWS)("%s: %s", async (resource, _wrong, patch, property, says) => {
  const inputs = { ...VALID[resource](ctx), ...(typeof patch === "function" ? patch(ctx) : patch) };
  await resetEmulatorRequests(emulator.current.url);
  const failures = await previewFailures(resource, inputs);
  expect(failures).toContainEqual({ property, reason: expect.stringMatching(says) });
  expect(await emulatorWrites(emulator.current.url, ALL_WRITE_SURFACES)).toEqual({});
  // Whatever went wrong, no credential is echoed.
  const { classic, storage: st, arm, pipelines } = ctx.m;
  const secrets = [classic.workspaceToken, classic.trainingService.primaryKey, classic.predictiveService.primaryKey, st.accountKey, arm.token, pipelines.token, ctx.endpoint.primaryKey, WRONG_KEY];
  expect(secrets.filter((x) => x && failures.some((f) => f.reason.includes(x)))).toEqual([]);
});
