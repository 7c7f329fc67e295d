/**
 * Fault injection, per surface, off by default: answers 500 / 503 / 429 (with Retry-After) in the surface's own error
 * body, drops connections without a response, adds latency, or carries out a write and then loses or delays its
 * answer. Configured by options (`faults`), the
 * AZUREML_EMULATOR_FAULTS variable, the --faults flag, or at run time with `PUT /_emulator/faults`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FaultOptions, Surface } from "./config";
import * as errors from "./errors";

const DEFAULT_RETRY_AFTER_SECONDS = 1;

export function registerFaults(app: FastifyInstance, faults: () => FaultOptions, surfaceOf: (request: FastifyRequest) => Surface | undefined): void {
  const specOf = (request: FastifyRequest) => {
    const surface = surfaceOf(request);
    const spec = surface ? faults()[surface] : undefined;
    return surface && spec ? { surface, spec } : undefined;
  };
  const hit = (rate: number | undefined): boolean => rate !== undefined && rate > 0 && Math.random() < rate;

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const f = specOf(request);
    if (!f) return;
    const { surface, spec } = f;
    if (hit(spec.dropRate)) {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (hit(spec.throttleRate)) throw errors.injectedThrottle(surface, spec.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
    if (hit(spec.unavailableRate)) throw errors.injectedUnavailable(surface);
    if (hit(spec.errorRate)) throw errors.injectedInternalError(surface);
  });

  // After the handler: the write has taken effect, only its answer is lost or late. This is the case a client that
  // retries on resets must survive without doing the write twice.
  app.addHook("onSend", async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    if (request.method === "GET" || request.method === "HEAD") return payload;
    const spec = specOf(request)?.spec;
    if (!spec) return payload;
    if (spec.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, spec.answerDelayMs));
    if (hit(spec.lostAnswerRate)) request.raw.socket.destroy();
    return payload;
  });

  // After the surfaces' own onRequest hooks (auth, RRS admission), so slow requests overlap as real ones would.
  app.addHook("preHandler", async (request: FastifyRequest) => {
    const latency = specOf(request)?.spec.latencyMs;
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
  });
}
