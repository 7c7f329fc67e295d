/**
 * Runs the review of a stack: `pulumi preview --diff` through the Automation API, its engine events recorded and
 * turned into a Review (review.ts). A failed preview is a result, not an exception: a gate refusal becomes a
 * refused row, any other error is listed. Nothing is written, and secrets are never decrypted: the current model
 * of a refused target is read from `pulumi stack export` without `--show-secrets`.
 */
import { execFile } from "child_process";
import { EngineEvent, LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { Review, buildReview } from "./review";

export interface ReviewOptions {
  /** Folder of the Pulumi project (holds Pulumi.yaml). */
  workDir: string;
  stackName: string;
  /** Environment for the CLI (backend URL, passphrase, …); default the process's. */
  envVars?: Record<string, string>;
  /** The CLI to use; default the `pulumi` on PATH. */
  pulumiCommand?: PulumiCommand;
  pulumiHome?: string;
  /** Also refresh before the preview (slower; shows drift). */
  refresh?: boolean;
}

function stackExport(command: string, workDir: string, stackName: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, ["stack", "export", "--stack", stackName], { cwd: workDir, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

/** Inputs of every resource in the stack's state, by URN (secrets stay ciphertext). */
async function stateInputs(command: string, o: ReviewOptions): Promise<Record<string, Record<string, unknown>>> {
  const env = { ...(o.envVars ?? {}), ...(o.pulumiHome ? { PULUMI_HOME: o.pulumiHome } : {}) };
  const exported = JSON.parse(await stackExport(command, o.workDir, o.stackName, env)) as { deployment?: { resources?: Array<{ urn: string; inputs?: Record<string, unknown> }> } };
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of exported.deployment?.resources ?? []) out[r.urn] = r.inputs ?? {};
  return out;
}

export async function reviewStack(o: ReviewOptions): Promise<Review> {
  const pulumiCommand = o.pulumiCommand ?? (await PulumiCommand.get({ skipVersionCheck: true }));
  const stack = await LocalWorkspace.selectStack(
    { stackName: o.stackName, workDir: o.workDir },
    { pulumiCommand, ...(o.envVars ? { envVars: o.envVars } : {}), ...(o.pulumiHome ? { pulumiHome: o.pulumiHome } : {}) },
  );
  const events: EngineEvent[] = [];
  let failure: string | undefined;
  try {
    await stack.preview({ onEvent: (e) => events.push(e), diff: true, refresh: o.refresh, color: "never" });
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  const refused = events.some((e) => e.diagnosticEvent?.severity === "error" && e.diagnosticEvent.urn);
  return buildReview({
    stack: o.stackName,
    events,
    failure,
    stateInputs: failure && refused ? await stateInputs(pulumiCommand.command, o).catch(() => undefined) : undefined,
  });
}
