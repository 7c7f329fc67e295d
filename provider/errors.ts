/**
 * The one error shape Pulumi users see, the hint table behind it, and redaction of secrets from any text.
 *
 * Runs inside the dynamic provider: no `@pulumi/pulumi` values, no module-level mutable state.
 */

/** A failed call to a service, translated from its error response (or from a dropped connection). */
export class ServiceError extends Error {
  /** HTTP status, or undefined when no response was received. */
  readonly status?: number;
  /** The service's code (`error.code`, `x-ms-error-code`, storage `<Code>`), or the network error code. */
  readonly code: string;
  /** The specific cause (`error.details[0].code` on execution surfaces), when the service gives one. */
  readonly detailCode?: string;
  /** The service's message, already redacted. */
  readonly serviceMessage: string;
  readonly requestId?: string;
  readonly method: string;
  /** URL without its query string. */
  readonly url: string;
  readonly surface: string;

  constructor(fields: {
    status?: number;
    code: string;
    detailCode?: string;
    serviceMessage: string;
    requestId?: string;
    method: string;
    url: string;
    surface: string;
  }) {
    const msg = redact(fields.serviceMessage);
    super(`${fields.method} ${stripQuery(fields.url)}: ${fields.status ?? "no response"} ${fields.code}: ${msg}`);
    this.name = "ServiceError";
    this.status = fields.status;
    this.code = fields.code;
    this.detailCode = fields.detailCode;
    this.serviceMessage = msg;
    this.requestId = fields.requestId;
    this.method = fields.method;
    this.url = stripQuery(fields.url);
    this.surface = fields.surface;
  }
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && (err as { name?: string }).name === "ServiceError" && "code" in err;
}

/**
 * What to do, keyed by service code (detail codes are looked up before category codes).
 * Codes come from the contract's error catalogue (§9) and Azure Storage; texts tell the user the way out.
 */
export const HINTS: Readonly<Record<string, string>> = {
  WorkspaceNotFound:
    "Check workspaceId and region: the management host must carry the workspace's region prefix (contract §1.2, E7)",
  WebServiceNotFound: "Check webServiceId: it must be a web service of this workspace (GET /workspaces/{ws}/webservices lists them)",
  WebServiceIdNotFoundInWorkspace:
    "The web service is not part of this workspace: check workspaceId and webServiceId (contract E2)",
  WebServiceIdInvalid: "Workspace and web service ids are 32 lowercase hex characters without dashes (contract E4)",
  NotFound: "Check the ids and names in the URL (workspace, web service, endpoint name, job id) and the region",
  ResourceNotFound: "Check subscriptionId, resourceGroup and the web service name (ARM)",
  Unauthorized: "Check the key or token: a workspace authorization token for management calls, the endpoint's PrimaryKey for BES/RRS",
  ManagementRequestUnauthorized: "Check workspaceToken (workspace settings → authorization tokens) or the endpoint key",
  ScoreRequestUnauthorized: "Check the endpoint key: use the endpoint's PrimaryKey or SecondaryKey",
  AdminRequestUnauthorized: "Check the workspace token",
  InvalidAuthenticationToken: "The ARM bearer token is invalid or expired: get a new token for https://management.azure.com/",
  ExpiredAuthenticationToken: "The ARM bearer token expired: get a new token for https://management.azure.com/",
  AuthenticationFailed:
    "Storage rejected the credentials: check storageAccountKey or the user-delegation key, and the machine clock (SAS tokens are minted at apply time)",
  AuthorizationFailure: "Storage rejected the SAS or key: check storageAccountKey / the user-delegation key and the machine clock",
  BlobNotFound: "The blob does not exist: check container and path, or resolve the model again with getLatestModelBlob",
  ContainerNotFound: "The container does not exist: check the container name and the storage account",
  InvalidBlob: "The service could not use the blob: point at an .ilearner written by a training run",
  InvalidBlobExtension: "Trained-model outputs must end in .ilearner and evaluation outputs in .csv (contract §2.2)",
  InvalidBlobConnectionString: "Check storageAccountName, storageBlobEndpoint and storageAccountKey",
  MissingInputBlobInformation: "Give the input dataset blob (container and path)",
  InputBlobRelativeLocationInvalid: "The input path must be container/path/file.csv",
  ContainerIsEmpty: "The input container is empty: upload the dataset first",
  InvalidInputNames: "inputName must match the training service's input name (default input1)",
  BatchJobInputsNotSpecified: "inputName must match the training service's input name (default input1)",
  BatchJobInputsTooManySpecified: "Send only the inputs the training service declares",
  InvalidOutputOverrideName:
    "modelOutputName / evaluationOutputName must match the training service's output names (default output1 / output2)",
  MissingRequiredOutputOverrides: "Give a location for every output of the training service",
  MissingRequiredGlobalParameters: "Pass every required global parameter in globalParameters (names are case-sensitive)",
  UnexpectedParameter: "Remove global parameters the web service does not declare (names are case-sensitive)",
  CannotStartJob: "The job was already started; run again to submit a new job",
  BadVersionCall: "Use api-version=2.0 (this provider does): check that apiLocation has no query string",
  RequestThrottled: "The endpoint is at its MaxConcurrentCalls: raise maxConcurrentCalls (throttleLevel High) or retry later",
  TooManyConcurrentRequests: "Too many concurrent requests: lower http.maxConcurrencyPerHost or retry later",
  ServiceUnavailable: "The service is temporarily unavailable (retried with backoff): try again later",
  InitializingContainers: "The service is starting containers (retried with backoff): try again in a minute",
  InternalError: "The service failed internally (retried with backoff): try again later; quote the request id to support",
  GatewayTimeout: "The service timed out (retried with backoff): try again later",
  Conflict:
    "The target refused the change: an ARM web service with properties.readOnly=true can only be deleted, never patched (contract E23)",
  BadArgument:
    "The service rejected an argument (see the message). Only added (non-default) endpoints of a predictive web service can be updated (contract §1.1)",
  ECONNREFUSED: "The host refused the connection: check the base URL (managementBaseUrl, armBaseUrl, storageBlobEndpoint) and that the service is running",
  ENOTFOUND: "The host name does not resolve: check the base URL and the region",
  EAI_AGAIN: "DNS lookup failed temporarily: check the network and the base URL",
  ECONNRESET: "The connection dropped (retried with backoff): check the network and try again",
  ETIMEDOUT: "The request timed out (retried with backoff): check the network or raise http.timeoutSeconds",
  ECONNABORTED: "The request timed out (retried with backoff): check the network or raise http.timeoutSeconds",
};

export function hintFor(code?: string, detailCode?: string): string | undefined {
  return (detailCode && HINTS[detailCode]) || (code && HINTS[code]) || undefined;
}

/**
 * Renders the one error shape:
 * `<Type> "<name>": <operation> failed: <status> <code>: <message>. <fix> (request id …)`.
 * Everything passes through `redact`, plus any known secret values given.
 */
export function formatFailure(
  type: string,
  name: string,
  operation: string,
  err: unknown,
  fix?: string,
  secrets: Array<string | undefined> = [],
): string {
  let status: string;
  let code: string;
  let message: string;
  let requestId: string | undefined;
  let hint: string | undefined;
  if (isServiceError(err)) {
    status = err.status === undefined ? "no response" : String(err.status);
    code = err.detailCode && err.detailCode !== err.code ? `${err.code}/${err.detailCode}` : err.code;
    message = err.serviceMessage;
    requestId = err.requestId;
    hint = hintFor(err.code, err.detailCode);
  } else {
    const e = err as { code?: unknown; message?: unknown } | undefined;
    status = "error";
    code = typeof e?.code === "string" ? e.code : "Error";
    message = typeof e?.message === "string" ? e.message : String(err);
    hint = hintFor(code);
  }
  const fixes = [fix, hint].filter((x): x is string => !!x && x.length > 0);
  let text = `${type} "${name}": ${operation} failed: ${status} ${code}: ${trimDot(message)}.`;
  if (fixes.length > 0) text += ` ${fixes.map(trimDot).join(". ")}.`;
  if (requestId) text += ` (request id ${requestId})`;
  return redact(text, secrets);
}

/** An Error in the one shape; never carries the original error (whose config holds headers with keys). */
export function failure(
  type: string,
  name: string,
  operation: string,
  err: unknown,
  fix?: string,
  secrets: Array<string | undefined> = [],
): Error {
  const out = new Error(formatFailure(type, name, operation, err, fix, secrets));
  out.name = "AzureMlError";
  if (isServiceError(err)) {
    Object.assign(out, { status: err.status, code: err.code, detailCode: err.detailCode, requestId: err.requestId });
  }
  return out;
}

/**
 * The error for "the service accepted the write, a later step failed": carrying `id` and `properties` makes the
 * engine record the resource instead of leaking it. The CLI then prints only "resource init failed" and keeps the
 * reason in state, so the (already redacted) reason also goes to stderr, which the CLI shows for dynamic providers.
 */
export function initFailure(err: Error, id: string, properties: object): Error {
  console.error(err.message);
  return Object.assign(err, { id, properties, reasons: [err.message] });
}

/** An error for a problem found by a read before any write (preview time). */
export function preflightError(type: string, name: string, property: string, reason: string, fix: string): Error {
  const out = new Error(redact(`${type} "${name}": ${property}: ${trimDot(reason)}. ${trimDot(fix)}.`));
  out.name = "AzureMlPreflightError";
  return out;
}

function trimDot(s: string): string {
  return s.trim().replace(/[.\s]+$/, "");
}

/** A URL without its query string (which may carry a SAS) and fragment. */
export function stripQuery(url: string): string {
  const i = url.search(/[?#]/);
  return i < 0 ? url : url.slice(0, i);
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  // Query strings of URLs: SAS tokens live there.
  [/(https?:\/\/[^\s"'<>?#]+)\?[^\s"'<>]*/gi, "$1?[redacted]"],
  // A bare SAS query string (`?sv=...&sig=...`) or any signature parameter.
  [/\?(?=[^\s"'<>]*\bsig=)[^\s"'<>]*/gi, "?[redacted]"],
  [/\b(sig|signature)=[^&\s"'<>;]+/gi, "$1=[redacted]"],
  [/\b(AccountKey|SharedAccessSignature|SharedAccessKey)=[^;\s"'<>]+/gi, "$1=[redacted]"],
  [/\b(Bearer|SharedKey|SharedKeyLite)\s+[^\s"'<>,]+/g, "$1 [redacted]"],
  [/("(?:SasBlobToken|PrimaryKey|SecondaryKey|primary|secondary|token|accountKey|apiKey)"\s*:\s*")[^"]*"/gi, '$1[redacted]"'],
];

/** Removes query strings, SAS signatures, account keys, bearer tokens and the given secret values from text. */
export function redact(text: string, secrets: Array<string | undefined> = []): string {
  let out = text;
  for (const s of secrets) {
    if (typeof s === "string" && s.length >= 6) out = out.split(s).join("[redacted]");
  }
  for (const [re, rep] of SECRET_PATTERNS) out = out.replace(re, rep);
  return out;
}
