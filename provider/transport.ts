/**
 * The one transport every wire client (clients/) sends through: timeouts, retries (axios-retry), per-host
 * concurrency (p-limit), the request log, and translation of error responses into `ServiceError`.
 *
 * Runs inside the dynamic provider: packages are loaded with `require` inside functions and no `@pulumi/pulumi`
 * value is imported. Resource files never call axios directly.
 */
import type { AxiosError, AxiosInstance, AxiosResponse } from "axios";
import { ServiceError, stripQuery } from "./errors";
import { attemptTimeoutMs, withDeadline } from "./retryDeadline";

/** Which API surface of the contract a request belongs to (contract §0). */
export type Surface = "management" | "bes" | "rrs" | "arm" | "pipelines" | "storage";
export type HttpMethod = "GET" | "HEAD" | "PUT" | "PATCH" | "POST" | "DELETE";

/**
 * When a failed request may be sent again.
 * - `idempotent`: on 408/429/5xx and on dropped connections (GET, HEAD, PUT, PATCH with the same body, DELETE, scoring).
 * - `no-response-only`: only when no response was received (BES submit, contract §9.2: it is not idempotent).
 * - `answered-only`: on 408/429/5xx, never when the answer was lost (a binding's write: the caller reads back).
 * - `never`.
 */
export type RetryMode = "idempotent" | "no-response-only" | "answered-only" | "never";

/** Tuning knobs a resource may pass through its `http` arg. */
export interface HttpSettings {
  /** Per-attempt timeout in seconds. Default 30. */
  timeoutSeconds?: number;
  /** Retries after the first attempt. Default 4. */
  maxRetries?: number;
  /** Requests in flight per host at once, across all resources in the provider process. Default 8. */
  maxConcurrencyPerHost?: number;
  /** First backoff delay in milliseconds, doubled on each retry, with jitter. Default 500. */
  retryBaseDelayMs?: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_MAX_CONCURRENCY_PER_HOST = 8;
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
export const MAX_RETRY_DELAY_MS = 30_000;
/** A Retry-After longer than this is cut to it, so a bad header cannot park a deployment. */
export const MAX_RETRY_AFTER_MS = 120_000;
/** Storage REST version sent and signed into SAS tokens; old enough for Azurite and every Azure region. */
export const STORAGE_API_VERSION = "2021-08-06";

export const RETRYABLE_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];
/** Connection dropped or timed out after the request may have left: safe to retry only idempotent requests. */
export const DROPPED_CONNECTION_CODES: readonly string[] = [
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "ESOCKETTIMEDOUT",
  "EAI_AGAIN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
];

export interface HttpRequest {
  surface: Surface;
  method: HttpMethod;
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  bearer?: string;
  headers?: Record<string, string>;
  /** JSON-serialised unless a string or a Buffer. */
  body?: unknown;
  /** Return the body as a Buffer (blob bytes) instead of text. */
  binary?: boolean;
  /** Default: `never` for POST, `idempotent` otherwise. */
  retry?: RetryMode;
  /** Non-2xx statuses returned to the caller instead of thrown (e.g. 404 for a lookup). */
  acceptStatus?: number[];
  settings?: HttpSettings;
  /** Epoch ms: retry until then instead of maxRetries times, no attempt running past it (retryDeadline.ts). */
  deadline?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  data: T;
  headers: Record<string, string | undefined>;
  requestId?: string;
}

/** One attempt as the request log records it. Never holds a query string, header or body. */
export interface RequestLogEntry {
  surface: Surface;
  method: HttpMethod;
  /** URL without its query string. */
  url: string;
  /** HTTP status, undefined when no response was received. */
  status?: number;
  /** Network error code when no response was received. */
  errorCode?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Shared state — the agreed exception to "no module-level mutable state": the request log read by tests and
// benchmarks, and the per-host concurrency limiters (which only work if every resource shares them). It lives
// on globalThis under a registered symbol, so the closure serializer (which never captures globals) does not
// copy it into any resource's `__provider`, and all copies of this module in one process share it.
interface SharedState {
  log: RequestLogEntry[];
  limiters: Map<string, (fn: () => Promise<unknown>) => Promise<unknown>>;
}
function shared(): SharedState {
  const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
  const key = Symbol.for("pulumi-azureml-retrain/client");
  let state = g[key];
  if (!state) {
    state = { log: [], limiters: new Map() };
    g[key] = state;
  }
  return state;
}
// ---------------------------------------------------------------------------------------------------------

/** Every attempt made by this process since the last reset (a copy). */
export function requestLog(): RequestLogEntry[] {
  return shared().log.map((e) => ({ ...e }));
}

export function resetRequestLog(): void {
  shared().log.length = 0;
}

function record(entry: RequestLogEntry): void {
  shared().log.push(entry);
}

/** Whether an attempt that ended this way may be repeated under `mode`. */
export function shouldRetry(mode: RetryMode, outcome: { status?: number; errorCode?: string }): boolean {
  if (mode === "never") return false;
  // A write whose answer was lost may have taken effect: its caller reads the target back instead (issue 11).
  if (mode === "answered-only" && outcome.status === undefined) return false;
  if (outcome.status === undefined) {
    // No response. A refused connection or unknown host never reached the service: safe for every mode,
    // but it is also not transient in practice, so fail fast instead (clear preview errors for bad URLs).
    return !!outcome.errorCode && DROPPED_CONNECTION_CODES.includes(outcome.errorCode);
  }
  if (mode === "no-response-only") return false;
  return RETRYABLE_STATUSES.includes(outcome.status);
}

/** Parses a Retry-After header (delta-seconds or HTTP-date) into milliseconds from `nowMs`. */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined || header === null) return undefined;
  const text = String(header).trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Delay before retry number `retryNumber` (1-based): exponential backoff with jitter (50–100% of
 * base·2^(n-1), capped), but never shorter than the server's Retry-After (capped at MAX_RETRY_AFTER_MS).
 */
export function retryDelayMs(
  retryNumber: number,
  retryAfterHeader: string | undefined,
  baseDelayMs: number = DEFAULT_RETRY_BASE_DELAY_MS,
  nowMs: number = Date.now(),
  random: () => number = Math.random,
): number {
  const exp = Math.min(MAX_RETRY_DELAY_MS, baseDelayMs * Math.pow(2, Math.max(0, retryNumber - 1)));
  const backoff = Math.round(exp * (0.5 + 0.5 * random()));
  const after = parseRetryAfterMs(retryAfterHeader, nowMs);
  if (after === undefined) return backoff;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(after, backoff));
}

function errorCodeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | undefined;
  if (typeof e?.code === "string" && e.code !== "ERR_BAD_RESPONSE" && e.code !== "ERR_BAD_REQUEST") return e.code;
  if (typeof e?.cause?.code === "string") return e.cause.code;
  const inner = e?.errors?.find((x) => typeof x?.code === "string");
  return inner ? String(inner.code) : undefined;
}

function lowerHeaders(raw: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const src = raw && typeof (raw as { toJSON?: unknown }).toJSON === "function" ? (raw as { toJSON(): unknown }).toJSON() : raw;
  for (const [k, v] of Object.entries((src as Record<string, unknown>) ?? {})) {
    out[k.toLowerCase()] = v === undefined || v === null ? undefined : Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

function parseBody(text: unknown, contentType: string | undefined): unknown {
  if (typeof text !== "string") return text;
  if (text.length === 0) return undefined;
  const t = text.trim();
  if ((contentType ?? "").includes("json") || /^[[{"]/.test(t)) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}

function requestIdOf(headers: Record<string, string | undefined>): string | undefined {
  return headers["x-ms-request-id"] ?? headers["x-ms-correlation-request-id"];
}

/** Reads a property case-insensitively (contract: read responses case-insensitively). */
export function prop<T = unknown>(obj: unknown, name: string): T | undefined {
  if (!obj || typeof obj !== "object") return undefined;
  const rec = obj as Record<string, unknown>;
  if (name in rec) return rec[name] as T;
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k] as T;
  return undefined;
}

/** Translates an error response (any surface's body shape) into a ServiceError. */
export function toServiceError(
  req: { method: string; url: string; surface: string },
  status: number | undefined,
  headers: Record<string, string | undefined>,
  body: unknown,
  networkCode?: string,
  networkMessage?: string,
): ServiceError {
  let code: string | undefined;
  let message: string | undefined;
  let detailCode: string | undefined;
  if (status === undefined) {
    code = networkCode ?? "NetworkError";
    message = networkMessage ?? "no response received";
  } else {
    const err = prop<Record<string, unknown>>(body, "error");
    const source = err && typeof err === "object" ? err : body && typeof body === "object" ? (body as Record<string, unknown>) : undefined;
    if (source) {
      const c = prop(source, "code");
      const m = prop(source, "message");
      if (typeof c === "string") code = c;
      if (typeof m === "string") message = m;
      const details = prop<Array<Record<string, unknown>>>(source, "details");
      if (Array.isArray(details) && details.length > 0) {
        const d0 = details[0];
        const dc = prop(d0, "code");
        const dm = prop(d0, "message");
        if (typeof dc === "string") detailCode = dc;
        if (typeof dm === "string") message = message ? `${message} ${dm}` : dm;
      }
    } else if (typeof body === "string" && body.includes("<Code>")) {
      // Azure Storage XML error body (contract §7.3).
      code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
      message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1]?.split("\n")[0];
      const detail = /<AuthenticationErrorDetail>([^<]*)<\/AuthenticationErrorDetail>/.exec(body)?.[1];
      if (detail) message = `${message ?? ""} ${detail}`.trim();
    } else if (typeof body === "string" && body.trim() !== "") {
      message = body.trim().slice(0, 500);
    }
    code = code ?? headers["x-ms-error-code"] ?? httpCodeName(status);
    message = message ?? `HTTP ${status}`;
  }
  return new ServiceError({
    status,
    code,
    detailCode,
    serviceMessage: message,
    requestId: requestIdOf(headers),
    method: req.method,
    url: req.url,
    surface: req.surface,
  });
}

function httpCodeName(status: number): string {
  const names: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    408: "RequestTimeout",
    409: "Conflict",
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
  };
  return names[status] ?? `Http${status}`;
}

function limiterFor(url: string, max: number): (fn: () => Promise<unknown>) => Promise<unknown> {
  const pLimit: (n: number) => (fn: () => Promise<unknown>) => Promise<unknown> = require("p-limit");
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    host = url;
  }
  const limiters = shared().limiters;
  let limit = limiters.get(host);
  if (!limit) {
    limit = pLimit(Math.max(1, max));
    limiters.set(host, limit);
  }
  return limit;
}

function newAxios(req: HttpRequest): AxiosInstance {
  const axiosModule = require("axios");
  const axios = (axiosModule.default ?? axiosModule) as typeof import("axios").default;
  const axiosRetryModule = require("axios-retry");
  const axiosRetry = (axiosRetryModule.default ?? axiosRetryModule) as typeof import("axios-retry").default;
  const settings = req.settings ?? {};
  const accepted = req.acceptStatus ?? [];
  const timeoutMs = Math.round((settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
  const instance = axios.create({
    timeout: attemptTimeoutMs(timeoutMs, req.deadline),
    responseType: req.binary ? "arraybuffer" : "text",
    transformResponse: [(d: unknown) => d],
    validateStatus: (s: number) => (s >= 200 && s < 300) || accepted.includes(s),
    maxRedirects: 0,
  });
  // Registered before axios-retry's own interceptor, so it sees every attempt, retries included.
  instance.interceptors.response.use(
    (res: AxiosResponse) => {
      record({ surface: req.surface, method: req.method, url: stripQuery(req.url), status: res.status });
      return res;
    },
    (err: AxiosError) => {
      const status = err.response?.status;
      record({
        surface: req.surface,
        method: req.method,
        url: stripQuery(req.url),
        status,
        errorCode: status === undefined ? errorCodeOf(err) : undefined,
      });
      return Promise.reject(err);
    },
  );
  const mode: RetryMode = req.retry ?? (req.method === "POST" ? "never" : "idempotent");
  const retryAfter = (err: AxiosError) => lowerHeaders(err.response?.headers)["retry-after"];
  axiosRetry(instance, withDeadline({
    retries: settings.maxRetries ?? DEFAULT_MAX_RETRIES,
    shouldResetTimeout: true,
    retryCondition: (err: AxiosError) => shouldRetry(mode, { status: err.response?.status, errorCode: errorCodeOf(err) }),
    retryDelay: (n: number, err: AxiosError) => retryDelayMs(n, retryAfter(err), settings.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS),
  }, req.deadline, timeoutMs, (err) => parseRetryAfterMs(retryAfter(err), Date.now())));
  return instance;
}

/**
 * Sends one logical request (with retries) and returns the response, or throws a `ServiceError` whose message
 * never contains the query string, headers or body of the request.
 */
export async function send<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
  const settings = req.settings ?? {};
  const limit = limiterFor(req.url, settings.maxConcurrencyPerHost ?? DEFAULT_MAX_CONCURRENCY_PER_HOST);
  return (await limit(async () => {
    const instance = newAxios(req);
    const headers: Record<string, string> = {
      Accept: "application/json",
      "x-ms-client-request-id": globalThis.crypto.randomUUID(),
      ...(req.headers ?? {}),
    };
    if (req.bearer !== undefined) headers.Authorization = `Bearer ${req.bearer}`;
    let data: string | Buffer | undefined;
    if (req.body !== undefined) {
      data = typeof req.body === "string" || Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
    }
    try {
      const res = await instance.request({ method: req.method, url: req.url, headers, data });
      const h = lowerHeaders(res.headers);
      const body = req.binary ? Buffer.from(res.data as ArrayBuffer) : parseBody(res.data, h["content-type"]);
      return { status: res.status, data: body as T, headers: h, requestId: requestIdOf(h) };
    } catch (err) {
      const ax = err as AxiosError;
      if (ax && ax.response) {
        const h = lowerHeaders(ax.response.headers);
        const raw = req.binary && ax.response.data ? Buffer.from(ax.response.data as ArrayBuffer).toString("utf8") : ax.response.data;
        throw toServiceError(req, ax.response.status, h, parseBody(raw, h["content-type"]));
      }
      const code = errorCodeOf(err) ?? "NetworkError";
      const message = (err as Error)?.message || code;
      throw toServiceError(req, undefined, {}, undefined, code, message);
    }
  })) as HttpResponse<T>;
}

/** Joins a base URL and a path with exactly one `/` (contract §7.1). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** Adds query parameters to a URL that may already have some. */
export function withQuery(url: string, query: Record<string, string | undefined>): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v as string)}`);
  if (parts.length === 0) return url;
  return `${url}${url.includes("?") ? "&" : "?"}${parts.join("&")}`;
}
