/**
 * Runs the review of a stack: `pulumi preview --diff` through the Automation API, its engine events recorded and
 * turned into a Review (review.ts). A failed preview is a result, not an exception: a gate refusal becomes a
 * refused row, any other error is listed, and a stack that cannot be previewed at all (missing, locked) is a
 * failed review that says why. The preview runs in review mode (lifecycle/reviewMode.ts), so it goes past a refused
 * resource and every refusal is reported. Nothing is written, and secrets are never decrypted: the current model
 * of a refused target is read from `pulumi stack export` without `--show-secrets`.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { REVIEW_LOG_ENV, readRefusals } from "../lifecycle/reviewMode";
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
  /**
   * Save the update plan here (`pulumi preview --save-plan`), for `pulumi up --plan` on merge. Written only when
   * the review succeeded: a refused or failed review leaves no plan (an old one at this path is removed).
   */
  savePlan?: string;
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
  if (o.savePlan) fs.rmSync(o.savePlan, { force: true });
  const events: EngineEvent[] = [];
  let failure: string | undefined;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "azureml-review-"));
  const log = path.join(logDir, "refusals.jsonl");
  let command = "pulumi";
  try {
    const pulumiCommand = o.pulumiCommand ?? (await PulumiCommand.get({ skipVersionCheck: true }));
    command = pulumiCommand.command;
    // The provider processes inherit the CLI's environment: that is how review mode reaches them.
    const envVars = { ...(o.envVars ?? {}), [REVIEW_LOG_ENV]: log };
    const stack = await LocalWorkspace.selectStack({ stackName: o.stackName, workDir: o.workDir }, { pulumiCommand, envVars, ...(o.pulumiHome ? { pulumiHome: o.pulumiHome } : {}) });
    await stack.preview({ onEvent: (e) => events.push(e), diff: true, refresh: o.refresh, color: "never", ...(o.savePlan ? { plan: o.savePlan } : {}) });
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  const refusals = readRefusals(log);
  fs.rmSync(logDir, { recursive: true, force: true });
  const refused = refusals.length > 0 || events.some((e) => e.diagnosticEvent?.severity === "error" && e.diagnosticEvent.urn);
  const review = buildReview({
    stack: o.stackName,
    events,
    failure,
    refusals,
    stateInputs: refused ? await stateInputs(command, o).catch(() => undefined) : undefined,
  });
  // A plan of a refused review would let the merge attempt what the gate refused: no plan, so up --plan fails loudly.
  if (o.savePlan && review.preview !== "succeeded") fs.rmSync(o.savePlan, { force: true });
  return review;
}
