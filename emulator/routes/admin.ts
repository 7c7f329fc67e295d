/**
 * Emulator administration, not part of the service: health, request counts (tests prove "zero writes" with them),
 * fault injection at run time. No auth: the emulator listens on loopback only.
 */
import type { FastifyInstance } from "fastify";
import { ConfigError, FaultOptions, validateFaults } from "../config";
import type { EmulatorContext } from "../context";
import * as errors from "../errors";

export default async function adminRoutes(app: FastifyInstance, opts: { ctx: EmulatorContext }): Promise<void> {
  const { ctx } = opts;

  app.get("/health", async function health() {
    return { status: "ok", region: ctx.options.region, inMemory: ctx.options.inMemory };
  });

  /** `{ management: { GET: 2, PATCH: 1 }, rrs: { POST: 5 } }`: requests per surface and method since start or reset. */
  app.get("/requests", async function requestCounts() {
    return ctx.counter.snapshot();
  });

  app.delete("/requests", async function resetRequestCounts(_request, reply) {
    ctx.counter.reset();
    return reply.code(204).send();
  });

  app.get("/faults", async function getFaults() {
    return ctx.options.faults;
  });

  /** Replaces the fault configuration, e.g. `{"rrs":{"throttleRate":1}}`; `{}` turns every fault off. */
  app.put<{ Body: unknown }>("/faults", async function setFaults(request) {
    let faults: FaultOptions;
    try {
      faults = validateFaults(request.body ?? {});
    } catch (err) {
      if (err instanceof ConfigError) throw errors.managementBadArgument(err.message);
      throw err;
    }
    ctx.options.faults = faults;
    return faults;
  });
}
