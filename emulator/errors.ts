/**
 * The emulator's error catalogue: one function per error the contract documents (§9), fixing status, code and
 * message. Messages marked [documented] are verbatim from the contract; the others are the emulator's choices for
 * the contract's unknowns and are listed in emulator/README.md.
 *
 * Three body shapes (contract §1.4, §3.5, §4.1):
 * - management: `{ error: { code, message } }`
 * - execution (BES, RRS): `{ error: { code: <category>, message: <category message>, details: [{ code, message }] } }`
 * - ARM and pipelines: `{ error: { code, message } }`
 */

export interface ErrorDetail {
  code: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}

/** A service answer that is not a success; handlers and stores throw it, the error handler renders it. */
export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${statusCode} ${body.error.code}: ${body.error.message}`);
  }
}

const management = (status: number, code: string, message: string, details?: ErrorDetail[]): ServiceError =>
  new ServiceError(status, { error: details ? { code, message, details } : { code, message } });

/** Execution-side categories (contract §9.2) and their documented messages. */
const CATEGORIES = {
  BadArgument: [400, "Invalid argument provided."],
  BadUserArgument: [400, "Invalid user argument provided."],
  InvalidOperation: [400, "The request is invalid in the current context."],
  ModuleExecutionError: [400, "Module execution encountered an error."],
  Unauthorized: [401, "Request is unauthorized to access resource."],
  NotFound: [404, "Resource not found."],
  InternalError: [500, "Execution encountered an internal error."],
  ServiceUnavailable: [503, "Service is temporarily unavailable."],
} as const;
type Category = keyof typeof CATEGORIES;

const execution = (category: Category, code: string, message: string, headers?: Record<string, string>): ServiceError => {
  const [status, categoryMessage] = CATEGORIES[category];
  return new ServiceError(status, { error: { code: category, message: categoryMessage, details: [{ code, message }] } }, headers);
};

const arm = (status: number, code: string, message: string, headers?: Record<string, string>): ServiceError =>
  new ServiceError(status, { error: { code, message } }, headers);

// ---------------------------------------------------------------------------------------------------------------
// Management API (§1)

/** E12. The detail code and message are catalogued; the management body has no `details`, so they are the body. */
export const managementRequestUnauthorized = (): ServiceError => management(401, "ManagementRequestUnauthorized", "Unauthorized");

/** [documented] Also E7: the workspace is not served under this region's host. */
export const workspaceNotFound = (): ServiceError =>
  management(404, "WorkspaceNotFound", "Workspace not found. Verify the workspace Id is correct and try again.");

/** [documented] */
export const webServiceNotFound = (): ServiceError =>
  management(404, "WebServiceNotFound", "Web service not found. Verify the web service Id is correct and try again.");

/** [documented] E2. */
export const webServiceIdNotFoundInWorkspace = (): ServiceError =>
  management(
    404,
    "WebServiceIdNotFoundInWorkspace",
    "Web service under this workspace not found. There is a mismatch between the webServiceId and the workspaceId. Verify the web service provided is part of the workspace and try again.",
  );

/** [documented] E4. */
export const webServiceIdInvalid = (): ServiceError =>
  management(400, "WebServiceIdInvalid", "Invalid web service id provided. Web service id should be a valid guid.");

/** E1 (emulator choice: the code of E3, the message names the endpoint). */
export const endpointNotFound = (name: string): ServiceError =>
  management(404, "NotFound", `Endpoint '${name}' not found. Verify the endpoint name is correct and try again.`);

/** E3 and any other unknown path: 404 with the management body (emulator choice). */
export const resourceNotFound = (method: string, path: string): ServiceError =>
  management(404, "NotFound", `No resource matches ${method} ${path}. Management calls (list, add, update, delete endpoints) go to the management host, scoring and batch calls to the ApiLocation.`);

/** E5 (emulator choice, from the contract). */
export const defaultEndpointNotUpdatable = (): ServiceError =>
  management(400, "BadArgument", "The default endpoint cannot be updated. Add an endpoint and update that one.");

/** E6 (emulator choice, from the contract). */
export const noUpdatableResources = (): ServiceError => management(400, "BadArgument", "This Web Service has no updatable resources.");

/** E10 (emulator choice, from the contract, plus the names that are updatable). */
export const notAnUpdatableResource = (name: string, updatable: string[]): ServiceError =>
  management(
    400,
    "BadArgument",
    `Resource '${name}' is not an updatable resource of this endpoint. Updatable resources: ${updatable.map((n) => `'${n}'`).join(", ")}.`,
  );

/** E8 (emulator choice, from the contract): the documented BlobNotFound message as the detail. */
export const modelBlobUnreadable = (blobUrlWithoutQuery: string, storageError: string): ServiceError =>
  management(400, "BadArgument", "Invalid argument provided.", [
    { code: "BlobNotFound", message: `Unable to access the provided Azure blob - ${blobUrlWithoutQuery}.  Azure error message: ${storageError}.` },
  ]);

/** A readable blob that is not a trained model (wrong extension or not an .ilearner). */
export const invalidModelBlob = (reference: string, reason: string): ServiceError =>
  management(400, "BadArgument", "Invalid argument provided.", [{ code: "InvalidBlob", message: `The blob ${reference} is not a trained model: ${reason}` }]);

/** [documented message] used for a PATCH resource whose RelativeLocation does not end in .ilearner. */
export const resourceBlobExtension = (reference: string): ServiceError =>
  management(400, "BadArgument", "Invalid argument provided.", [{ code: "InvalidBlobExtension", message: blobExtensionMessage(reference, ".ilearner") }]);

/** E26 and the default endpoint generally. */
export const defaultEndpointNotDeletable = (othersExist: boolean): ServiceError =>
  management(
    400,
    "BadArgument",
    othersExist
      ? "The default endpoint cannot be deleted while other endpoints exist. Delete the added endpoints first."
      : "The default endpoint cannot be deleted. Delete or re-publish the web service instead.",
  );

export const defaultEndpointNotRefreshable = (): ServiceError =>
  management(400, "BadArgument", "The default endpoint cannot be refreshed. Re-publish the web service to update it.");

export const invalidEndpointName = (name: string): ServiceError =>
  management(
    400,
    "BadArgument",
    `Invalid endpoint name '${name}'. Endpoint names have 1 to 24 characters: lowercase letters, digits and hyphens, not starting or ending with a hyphen.`,
  );

export const managementBadArgument = (message: string): ServiceError => management(400, "BadArgument", message);

export const managementInternalError = (requestId: string): ServiceError =>
  management(500, "InternalError", `The emulator failed unexpectedly; its log has the details under request id ${requestId}.`);

// ---------------------------------------------------------------------------------------------------------------
// Execution: BES and RRS (§2, §3)

/** [documented] E11. */
export const scoreRequestUnauthorized = (): ServiceError => execution("Unauthorized", "ScoreRequestUnauthorized", "Invalid credentials provided.");

/** [documented] E21. */
export const badVersionCall = (version: string): ServiceError =>
  execution(
    "BadArgument",
    "BadVersionCall",
    `Invalid version parameter was passed during the API call: ${version}. Check the API help page for passing the correct version and try again.`,
  );

const blobExtensionMessage = (reference: string, extensions: string): string =>
  `The blob reference: ${reference} has an invalid or missing file extension. Supported file extensions for this output type are: "${extensions}".`;

/** [documented] E15. */
export const invalidBlobExtension = (reference: string, extensions: string): ServiceError =>
  execution("BadArgument", "InvalidBlobExtension", blobExtensionMessage(reference, extensions));

/** E18. */
export const invalidOutputOverrideName = (name: string, known: string[]): ServiceError =>
  execution("BadArgument", "InvalidOutputOverrideName", `The output name '${name}' is not an output of this web service. Outputs: ${known.join(", ")}.`);

/** E16. */
export const invalidInputNames = (names: string[], known: string[]): ServiceError =>
  execution("BadArgument", "InvalidInputNames", `The input name(s) ${names.map((n) => `'${n}'`).join(", ")} are not inputs of this web service. Inputs: ${known.join(", ")}.`);

export const batchJobInputsNotSpecified = (missing: string[]): ServiceError =>
  execution("BadArgument", "BatchJobInputsNotSpecified", `The following required input(s) were not specified with the request: ${missing.join(", ")}. Please ensure all input data is specified and try again.`);

export const batchJobInputsTooManySpecified = (count: number, expected: number): ServiceError =>
  execution("BadArgument", "BatchJobInputsTooManySpecified", `The request specified ${count} inputs but the web service expects ${expected}.`);

export const duplicateInputInBatchCall = (): ServiceError =>
  execution("BadArgument", "DuplicateInputInBatchCall", "The request specifies both Input and Inputs. Use only Inputs.");

/** E17. */
export const missingInputBlobInformation = (name: string): ServiceError =>
  execution(
    "BadArgument",
    "MissingInputBlobInformation",
    `Missing Azure storage blob information for '${name}'. Provide RelativeLocation with either ConnectionString or BaseLocation and SasBlobToken.`,
  );

export const invalidBlobConnectionString = (name: string): ServiceError =>
  execution("BadArgument", "InvalidBlobConnectionString", `The connection string specified for '${name}' is not valid. Use DefaultEndpointsProtocol=https;AccountName=<acct>;AccountKey=<key>.`);

export const inputBlobRelativeLocationInvalid = (name: string): ServiceError =>
  execution("BadArgument", "InputBlobRelativeLocationInvalid", `The RelativeLocation of '${name}' must be container/path/blob.ext.`);

/** E19 / undeclared parameters. */
export const unexpectedParameter = (name: string): ServiceError =>
  execution("BadArgument", "UnexpectedParameter", `Unexpected parameter '${name}': the web service declares no global parameter of that name (names are case-sensitive).`);

/** [documented] E20. */
export const cannotStartJob = (state: string): ServiceError =>
  execution("InvalidOperation", "CannotStartJob", `The job cannot be started because it is in ${state} state.`);

/** Emulator choice for an unknown job id (contract §2.4). */
export const jobNotFound = (jobId: string): ServiceError => execution("NotFound", "JobNotFound", `Job '${jobId}' was not found for this endpoint.`);

/** Emulator choice for an unknown execution URL. */
export const executionServiceNotFound = (): ServiceError =>
  execution("NotFound", "WebServiceNotFound", "Web service not found. Verify the web service Id is correct and try again.");

/** [documented] E22. */
export const requestThrottled = (endpoint: string, max: number): ServiceError =>
  execution("ServiceUnavailable", "RequestThrottled", `Request was throttled for ${endpoint} endpoint. The maximum concurrency for the endpoint is ${max}.`);

export const missingRequestInput = (name: string): ServiceError =>
  execution("BadArgument", "MissingRequestInput", `The request does not contain input '${name}'. Send Inputs.${name}.`);

export const inputMismatchError = (message: string): ServiceError => execution("BadUserArgument", "InputMismatchError", message);

/** Rows the model cannot score: the ML core's DatasetError message. */
export const inputParseError = (message: string): ServiceError => execution("BadUserArgument", "InputParseError", message);

export const requestBodyInvalid = (message: string): ServiceError => execution("BadArgument", "RequestBodyInvalid", message);

export const executionNotImplemented = (what: string): ServiceError =>
  new ServiceError(501, { error: { code: "NotImplemented", message: what, details: [{ code: "NotImplemented", message: what }] } });

/** RRS or batch scoring on a service with no trained model to score with (a training service, or none bound). */
export const noTrainedModelBound = (): ServiceError =>
  executionNotImplemented("The emulator scores only with predictive web services that have a trained model bound.");

export const executionInternalError = (requestId: string): ServiceError =>
  execution("InternalError", "InternalError", `The emulator failed unexpectedly; its log has the details under request id ${requestId}.`);

// ---------------------------------------------------------------------------------------------------------------
// ARM (§4) — ARM's own common codes and messages.

export const armMissingAuthorization = (): ServiceError => arm(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");

export const armInvalidToken = (): ServiceError => arm(401, "InvalidAuthenticationToken", "The access token is invalid.");

export const armMissingApiVersion = (): ServiceError =>
  arm(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");

export const armUnsupportedApiVersion = (version: string, supported: string[]): ServiceError =>
  arm(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for API version '${version}' and type 'webServices'. The supported api-versions are '${supported.join(", ")}'.`,
  );

export const armResourceNotFound = (name: string, resourceGroup: string): ServiceError =>
  arm(404, "ResourceNotFound", `The Resource 'Microsoft.MachineLearning/webServices/${name}' under resource group '${resourceGroup}' was not found.`);

export const armOperationNotFound = (id: string): ServiceError => arm(404, "NotFound", `The operation '${id}' was not found.`);

/** E23 (emulator choice, from the contract). */
export const armReadOnly = (name: string): ServiceError =>
  arm(409, "Conflict", `The web service '${name}' is read-only (properties.readOnly is true): it can only be deleted, not updated.`);

export const armInvalidRequestContent = (message: string): ServiceError =>
  arm(400, "InvalidRequestContent", `The request content was invalid and could not be deserialized: ${message}`);

export const armBadRequest = (message: string): ServiceError => arm(400, "BadRequest", message);

export const armNotFoundPath = (method: string, path: string): ServiceError =>
  arm(404, "NotFound", `No route matches ${method} ${path} (Microsoft.MachineLearning, api-version 2017-01-01).`);

export const armInternalError = (requestId: string): ServiceError =>
  arm(500, "InternalServerError", `The emulator failed unexpectedly; its log has the details under request id ${requestId}.`);

// ---------------------------------------------------------------------------------------------------------------
// Pipelines (§5) — emulator choices, ARM-shaped.

export const pipelineUnauthorized = (): ServiceError => arm(401, "Unauthorized", "The access token is missing or invalid. Send Authorization: Bearer <token for https://management.azure.com/>.");

export const pipelineNotFound = (what: string): ServiceError => arm(404, "NotFound", `${what} was not found.`);

export const pipelineBadRequest = (message: string): ServiceError => arm(400, "UserError", message);

export const pipelineInternalError = (requestId: string): ServiceError =>
  arm(500, "InternalError", `The emulator failed unexpectedly; its log has the details under request id ${requestId}.`);

// ---------------------------------------------------------------------------------------------------------------
// Injected faults (emulator/faults.ts), in each surface's shape.

export const injectedThrottle = (surface: string, retryAfterSeconds: number): ServiceError => {
  const message = `Too many requests (injected fault). Retry after ${retryAfterSeconds} seconds.`;
  const headers = { "Retry-After": String(retryAfterSeconds) };
  return surface === "bes" || surface === "rrs"
    ? new ServiceError(429, { error: { code: "TooManyRequests", message, details: [{ code: "TooManyRequests", message }] } }, headers)
    : arm(429, "TooManyRequests", message, headers);
};

export const injectedUnavailable = (surface: string): ServiceError =>
  surface === "bes" || surface === "rrs"
    ? execution("ServiceUnavailable", "NoMoreResources", "No more resources are available to serve the request (injected fault).")
    : arm(503, "ServiceUnavailable", "Service is temporarily unavailable (injected fault).");

export const injectedInternalError = (surface: string): ServiceError =>
  surface === "bes" || surface === "rrs"
    ? execution("InternalError", "InternalError", "Execution encountered an internal error (injected fault).")
    : arm(500, surface === "arm" ? "InternalServerError" : "InternalError", "The service encountered an internal error (injected fault).");
