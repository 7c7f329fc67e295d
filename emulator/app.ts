/**
 * Builds the emulator's Fastify app. The order below is the request pipeline and matters:
 *
 * 1. config      — the context (options, stores, storage) every plugin receives.
 * 2. logging     — a request id on every response (`x-ms-request-id`, contract §1.3) and every log line; request
 *                  counts per surface. Per-request log lines only at debug level, so scoring stays quiet and fast.
 * 3. auth        — the bearer token resolved to a credential once; surfaces decide what it may do.
 * 4. faults      — injected failures (off by default); added latency runs just before the handlers, after the
 *                  surfaces' own hooks, so slow requests overlap the way real ones do.
 * 5. routes      — one plugin per surface, under the URL prefixes of docs/interfaces.md.
 * 6. errors      — ServiceErrors rendered as thrown; schema failures as the surface's bad-request body; anything
 *                  else as its internal-error body, logged with the stack.
 * 7. not found   — the surface's 404 body (management shape for execution URLs too: contract E3).
 */
import { randomUUID } from "crypto";
import fastify, { FastifyError, FastifyInstance, FastifyRequest, LogController } from "fastify";
import { authenticate } from "./auth";
import type { Surface } from "./config";
import type { EmulatorContext } from "./context";
import * as errors from "./errors";
import { registerFaults } from "./faults";
import adminRoutes from "./routes/admin";
import armRoutes from "./routes/arm";
import batchRoutes from "./routes/batch";
import managementRoutes from "./routes/management";
import pipelineRoutes from "./routes/pipelines";
import scoringRoutes from "./routes/scoring";
import type { Credential } from "./store";

declare module "fastify" {
  interface FastifyRequest {
    credential?: Credential;
    surface?: Surface;
  }
}

/** RRS batches of rows and BES bodies can be large; the real service's limit is not documented. */
const BODY_LIMIT_BYTES = 32 * 1024 * 1024;
export const REQUEST_ID_HEADER = "x-ms-request-id";

/** The contract surface a URL belongs to (docs/interfaces.md URL layout). */
export function surfaceOfUrl(url: string): Surface | undefined {
  if (url.startsWith("/services/")) {
    const q = url.indexOf("?");
    return (q < 0 ? url : url.slice(0, q)).endsWith("/execute") ? "rrs" : "bes";
  }
  if (url.startsWith("/management/")) return "management";
  if (url.startsWith("/arm/")) return "arm";
  if (url.startsWith("/pipelines/")) return "pipelines";
  return undefined;
}

function badRequest(surface: Surface | undefined, message: string): errors.ServiceError {
  switch (surface) {
    case "bes":
    case "rrs":
      return errors.requestBodyInvalid(message);
    case "arm":
      return errors.armInvalidRequestContent(message);
    case "pipelines":
      return errors.pipelineBadRequest(message);
    default:
      return errors.managementBadArgument(message);
  }
}

function internalError(surface: Surface | undefined, requestId: string): errors.ServiceError {
  switch (surface) {
    case "bes":
    case "rrs":
      return errors.executionInternalError(requestId);
    case "arm":
      return errors.armInternalError(requestId);
    case "pipelines":
      return errors.pipelineInternalError(requestId);
    default:
      return errors.managementInternalError(requestId);
  }
}

function notFound(surface: Surface | undefined, method: string, path: string): errors.ServiceError {
  switch (surface) {
    case "arm":
      return errors.armNotFoundPath(method, path.replace(/^\/arm/, ""));
    case "pipelines":
      return errors.pipelineNotFound(`${method} ${path}`);
    default:
      return errors.resourceNotFound(method, path);
  }
}

export function buildApp(ctx: EmulatorContext): FastifyInstance {
  // 1. config
  const app = fastify({
    logger: {
      level: ctx.options.logLevel,
      // Keys, tokens and SAS never reach a log line.
      redact: { paths: ["req.headers.authorization", "headers.authorization", "*.SasBlobToken", "*.ConnectionString"], censor: "[redacted]" },
    },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: "requestId", disableRequestLogging: true }),
    // Contract bodies type some values as "string or number" (GlobalParameters, ParameterAssignments).
    ajv: { customOptions: { allowUnionTypes: true } },
    bodyLimit: BODY_LIMIT_BYTES,
    // ARM paths are case-insensitive; the classic hosts' casing is fixed by their clients anyway.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
  });

  // Bodies are JSON. Clients send empty bodies with whatever Content-Type their HTTP library picks (BES start §2.3,
  // refresh M7; issue 12): an empty body is no body, whatever its type, and the route's schema decides whether it
  // needed one. A non-empty body of another type is the surface's bad request: 415 is in no status table.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    const type = String(request.headers["content-type"] ?? "");
    done(badRequest(surfaceOfUrl(request.url), `The request body has Content-Type '${type}'; send it as JSON with Content-Type: application/json.`), undefined);
  });
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = (body as string).trim();
    if (text === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(badRequest(surfaceOfUrl(request.url), `The request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  // 2. logging with request id, and request counts
  app.decorateRequest("credential", undefined);
  app.decorateRequest("surface", undefined);
  app.addHook("onRequest", async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    const surface = surfaceOfUrl(request.url);
    request.surface = surface;
    if (surface) ctx.counter.add(surface, request.method);
  });
  if (ctx.options.logLevel === "debug" || ctx.options.logLevel === "trace") {
    app.addHook("onResponse", async (request, reply) => {
      request.log.debug({ method: request.method, path: request.url.split("?")[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, "request");
    });
  }

  // 3. auth
  app.addHook("onRequest", async (request) => {
    request.credential = authenticate(ctx.authChecks, request.headers.authorization);
  });

  // 4. faults
  registerFaults(app, () => ctx.options.faults, (request: FastifyRequest) => request.surface);

  // 5. routes
  app.register(managementRoutes, { prefix: "/management/:region", ctx });
  for (const prefix of ["/services/:region/workspaces/:ws/services/:id", "/services/:region/subscriptions/:sub/services/:id"]) {
    app.register(batchRoutes, { prefix, ctx });
    app.register(scoringRoutes, { prefix, ctx });
  }
  app.register(armRoutes, { prefix: "/arm", ctx });
  app.register(pipelineRoutes, { prefix: "/pipelines/:region", ctx });
  app.register(adminRoutes, { prefix: "/_emulator", ctx });

  // 6. errors
  app.setErrorHandler((err: FastifyError | errors.ServiceError, request, reply) => {
    let e: errors.ServiceError;
    if (err instanceof errors.ServiceError) {
      e = err;
    } else if ((err as FastifyError).validation) {
      e = badRequest(request.surface, `${(err as FastifyError).validationContext ?? "request"}${err.message.replace(/^[a-z]+/, "")}`);
    } else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
      const base = badRequest(request.surface, err.message);
      e = new errors.ServiceError((err as FastifyError).statusCode!, base.body);
    } else {
      request.log.error({ err }, "unhandled error");
      e = internalError(request.surface, request.id);
    }
    return reply.code(e.statusCode).headers(e.headers).send(e.body);
  });

  // 7. not found
  app.setNotFoundHandler((request, reply) => {
    const e = notFound(request.surface, request.method, request.url.split("?")[0]);
    return reply.code(e.statusCode).send(e.body);
  });

  return app;
}
