/**
 * The promotion review through the real engine (issue 10 items 1 and 2): the `azureml-retrain-review` bin and
 * `reviewStack` on the promotion fixture. A new model is one promotion row (current → proposed, metric deltas, the
 * gate's verdict, the write), the gate's refusal is a refused row with the diagnostic's text, a no-op is an empty
 * review; a ModelRollout is one row per target. The review writes nothing; `pulumi preview --diff` shows no
 * bookkeeping field and no sample row.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { reviewStack, Review } from "../../provider/review";
import { REPO_ROOT, pulumiBinDir, pulumiEnv } from "../../scripts/services/pulumiEnv";
import { withStack } from "../support/pulumi";
import { emulatorWrites, promotionStackConfig, resetEmulatorRequests, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
const cli = path.join(REPO_ROOT, "dist", "provider", "review", "cli.js");
const env = usePromotionEmulator();

function runCli(args: string[], envVars: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ...envVars } }, (err, _stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

test("review: a promotion row, a gate refusal, a no-op; nothing written; a quiet preview --diff", async () => {
  const config = promotionStackConfig(env.emulator.manifest, { withArm: "true", gate: JSON.stringify({ maxDrop: { auc: 0.5 } }) });
  const v1 = await env.models.upload(config.classicPrefix.value, "v1", 1);
  await env.models.upload(config.armPrefix.value, "v1", 1);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "review-"));
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(pulumiBinDir()) });

  try {
    await withStack(project, config, async ({ stack, envVars }) => {
      await stack.up();
      const review = (): Promise<Review> => reviewStack({ workDir: project, stackName: stack.name, envVars, pulumiCommand, pulumiHome: envVars.PULUMI_HOME });

      // No-op: an empty review.
      const noop = await review();
      expect(noop.summary).toBe("0 promotions, 0 refused by gate, 0 trainings, 0 other changes");
      expect(noop.preview).toBe("succeeded");

      // A new model under the classic prefix, through the bin: Markdown and JSON with the same facts.
      const v2 = await env.models.upload(config.classicPrefix.value, "v2", 2);
      await resetEmulatorRequests(env.emulator.url);
      const md = path.join(out, "review.md");
      const json = path.join(out, "review.json");
      const run = await runCli(["--stack", stack.name, "--cwd", project, "--md", md, "--json", json], envVars);
      expect(run).toEqual({ code: 0, stderr: "1 promotion, 0 refused by gate, 0 trainings, 0 other changes\n" });
      const facts = JSON.parse(fs.readFileSync(json, "utf8")) as Review;
      expect(facts.promotions).toHaveLength(1);
      const row = facts.promotions[0];
      const m = env.emulator.manifest.classic;
      expect(row).toMatchObject({
        key: "scoring-model",
        target: `classic endpoint ${config.endpointName.value}`,
        // The key the audit bin takes: a row leads straight to the target's promotion history.
        auditTarget: `classic/${m.region}/${m.workspaceId}/${m.predictiveService.id}/${config.endpointName.value}/${m.predictiveService.trainedModelResourceName}`,
        current: { path: v1.path, etag: v1.etag, lastModified: v1.lastModified },
        proposed: { path: v2.path, etag: v2.etag, lastModified: v2.lastModified },
        gate: { status: "passed", summary: expect.stringMatching(/^gate passed \(auc 0\.\d{4} drop <= 0\.5\)$/) },
        write: "classic PATCH",
      });
      const auc = row.metrics.find((m) => m.metric === "auc")!;
      expect(auc.delta).toBeCloseTo(v2.auc - v1.auc, 4);
      expect(row.metrics.map((m) => m.metric)).toEqual(["auc", "accuracy", "precision", "recall", "f1"]);
      const markdown = fs.readFileSync(md, "utf8");
      expect(markdown).toContain("**1 promotion, 0 refused by gate, 0 trainings, 0 other changes**");
      expect(markdown).toContain(`| \`models/${v1.path}\``);
      expect(markdown).toContain(`| \`models/${v2.path}\``);
      expect(await emulatorWrites(env.emulator.url)).toEqual({});

      // The preview a reviewer would read by hand: the model old → new, no bookkeeping, the sample row once as a digest.
      const diff = (await stack.preview({ diff: true })).stdout;
      expect(diff).toContain(`~ path        : "${v1.path}" => "${v2.path}"`);
      expect(diff).not.toMatch(/resourceName|targetKind|marital-status|__previewed/);
      expect(diff.match(/sampleRow\s*: "14 columns, sha256 [0-9a-f]{8}"/g)).toHaveLength(1);

      await stack.up();

      // The gate refuses the next promotion: a refused row with the diagnostic's text, its current model from state.
      const v3 = await env.models.upload(config.classicPrefix.value, "v3", 1, "noisy");
      await stack.setConfig("gate", { value: JSON.stringify({ minimum: { auc: 0.99 } }) });
      const refused = await review();
      expect(refused.summary).toBe("0 promotions, 1 refused by gate, 0 trainings, 0 other changes");
      expect(refused.preview).toBe("failed");
      expect(refused.promotions).toEqual([
        expect.objectContaining({
          key: "scoring-model",
          current: expect.objectContaining({ path: v2.path, etag: v2.etag }),
          proposed: expect.objectContaining({ container: env.emulator.manifest.containers.models, path: v3.path, etag: v3.etag }),
          gate: expect.objectContaining({ status: "refused" }),
          // Refused: up writes nothing for it.
          write: "none",
        }),
      ]);
      expect(refused.promotions[0].gate.summary).toMatch(new RegExp(`^gate refused the promotion of ${env.emulator.manifest.containers.models}/${v3.path}: auc 0\\.\\d{4} is below the minimum 0\\.99$`));
      expect(refused.promotions[0].gate.diagnostic).toMatch(/auc\s+0\.\d{4}\s+0\.\d{4}\s+[-+]0\.\d{4}\s+>= 0\.99\s+FAIL/);
      expect(refused.errors).toEqual([]);
      const exit = await runCli(["--stack", stack.name, "--cwd", project, "--md", md], envVars);
      expect(exit.code).toBe(2);
      expect(fs.readFileSync(md, "utf8")).toContain("⛔ The gate refused 1 promotion");
      expect(fs.readFileSync(md, "utf8")).not.toMatch(/^\s+at /m);
      expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 240_000);

test("review of a ModelRollout: one row per target of every wave, each with its write and the gate's verdict; every refused wave reported", async () => {
  const config = promotionStackConfig(env.emulator.manifest, { endpointCount: "2", withArm: "true", canary: "1", waveSize: "2", gate: JSON.stringify({ minimum: { auc: 0.6 } }) });
  const prefix = config.classicPrefix.value;
  await env.models.upload(prefix, "v1", 1);
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(pulumiBinDir()) });
  const rollout = path.join(__dirname, "fixtures", "rollout");

  await withStack(rollout, config, async ({ stack, envVars }) => {
    await stack.up();
    const v2 = await env.models.upload(prefix, "v2", 3);
    await resetEmulatorRequests(env.emulator.url);
    const review = await reviewStack({ workDir: rollout, stackName: stack.name, envVars, pulumiCommand, pulumiHome: envVars.PULUMI_HOME });
    expect(review.summary).toBe("3 promotions, 0 refused by gate, 0 trainings, 0 other changes");
    expect(review.promotions.map((p) => p.write).sort()).toEqual(["ARM definition update", "classic PATCH", "classic PATCH"]);
    for (const p of review.promotions) {
      expect(p).toMatchObject({ type: "RolloutWave", proposed: { path: v2.path }, gate: { status: "passed" } });
      expect(p.key).toMatch(/^census-[a-z0-9-]+\/(classic|arm)\//);
    }
    // preview --diff: one line per wave for its targets, none reprinted.
    const diff = (await stack.preview({ diff: true })).stdout;
    expect(diff).toMatch(/targets\s*: "1 target, sha256 [0-9a-f]{8}"/);
    expect(diff).toMatch(/targets\s*: "2 targets, sha256 [0-9a-f]{8}"/);
    expect(diff).not.toMatch(/endpointName|managementBaseUrl/);

    // A gate both waves fail: the preview goes past the first refusal and every target is reported, once, no write.
    await stack.setConfig("gate", { value: JSON.stringify({ minimum: { auc: 0.99 } }) });
    const refused = await reviewStack({ workDir: rollout, stackName: stack.name, envVars, pulumiCommand, pulumiHome: envVars.PULUMI_HOME });
    expect(refused.summary).toBe("0 promotions, 3 refused by gate, 0 trainings, 0 other changes");
    expect(refused.promotions.map((p) => [p.gate.status, p.write])).toEqual([["refused", "none"], ["refused", "none"], ["refused", "none"]]);
    expect(new Set(refused.promotions.map((p) => p.resource)).size).toBe(2);
    expect(refused.errors).toEqual([]);
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
  });
});

test("review past integrity refusals: two bindings whose declared bytes the blob no longer holds are two refused rows, counted apart from the gate's, no write", async () => {
  const config = promotionStackConfig(env.emulator.manifest, { withArm: "true" });
  await env.models.upload(config.classicPrefix.value, "v1", 1);
  await env.models.upload(config.armPrefix.value, "v1", 1);
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(pulumiBinDir()) });
  await withStack(project, config, async ({ stack, envVars }) => {
    await stack.up();
    // Both bindings declare v2 by a sha256 its blob does not hold (overwritten after the pin was written).
    const v2 = await env.models.upload(config.classicPrefix.value, "v2", 2);
    const declared = { container: env.emulator.manifest.containers.models, path: v2.path, etag: v2.etag, lastModified: v2.lastModified, size: v2.size, sha256: "0".repeat(64) };
    await stack.setConfig("modelRef", { value: JSON.stringify(declared) });
    await resetEmulatorRequests(env.emulator.url);
    const review = await reviewStack({ workDir: project, stackName: stack.name, envVars, pulumiCommand, pulumiHome: envVars.PULUMI_HOME });
    expect(review.summary).toBe("0 promotions, 0 refused by gate, 2 refused: model bytes not as declared, 0 trainings, 0 other changes");
    expect(review.preview).toBe("failed");
    expect(review.promotions.map((p) => [p.resource, p.gate.status, p.write]).sort()).toEqual([["arm-model", "refused", "none"], ["scoring-model", "refused", "none"]]);
    for (const p of review.promotions) expect(p.gate.summary).toContain(`holds other bytes than the program declares: expected sha256 ${"0".repeat(64)}, actual sha256 ${v2.sha256}`);
    expect(review.errors).toEqual([]);
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
  });
});

test("a stack that cannot be previewed still gets a report saying why, and a failing exit", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "review-missing-"));
  try {
    const md = path.join(out, "review.md");
    const json = path.join(out, "review.json");
    const missing = await runCli(["--stack", "no-such-stack", "--cwd", project, "--md", md, "--json", json], pulumiEnv({ stateDir: out }));
    expect(missing.code).toBe(1);
    const report = fs.readFileSync(md, "utf8");
    expect(report).toContain("❌ The preview failed:\n\n- ");
    expect(report).toMatch(/no-such-stack/);
    expect(report).not.toMatch(/^\s+at /m);
    expect((JSON.parse(fs.readFileSync(json, "utf8")) as Review).preview).toBe("failed");
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
