/**
 * The GitOps workflow of examples/gitops, played locally (issue 10 item 5): a throwaway git repository holding
 * the example, its state on the azblob backend (Azurite), the emulator as the service, and the workflow's own
 * steps (ci/review.sh on the pull request, ci/promote.sh on merge). New model lands → branch bumps modelFolder →
 * the review shows the promotion → merge → up promotes with exactly one write → the next review is empty.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Review } from "../../provider/review";
import { configFromManifest } from "../../examples/local/manifestConfig";
import { REPO_ROOT } from "../../scripts/services/pulumiEnv";
import { AzblobBackend, azblobBackend } from "../support/azblob";
import { withStack } from "../support/pulumi";
import { emulatorWrites, resetEmulatorRequests, scoringModel, usePromotionEmulator, boundPath } from "../support/promotion";
import { uniqueName } from "../support/storage";

const example = path.join(REPO_ROOT, "examples", "gitops");
const env = usePromotionEmulator();
let backend: AzblobBackend;
let repo: string;

function run(cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: repo, env: { ...process.env, ...extraEnv } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function git(...args: string[]): Promise<void> {
  const r = await run("git", args, { GIT_AUTHOR_NAME: "ci", GIT_AUTHOR_EMAIL: "ci@example.invalid", GIT_COMMITTER_NAME: "ci", GIT_COMMITTER_EMAIL: "ci@example.invalid" });
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr}`);
}

beforeAll(async () => {
  backend = await azblobBackend();
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-"));
  for (const f of ["Pulumi.yaml", "index.ts", "package.json", "ci/review.sh", "ci/promote.sh", ".github/workflows/promotion.yml"]) {
    fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
    fs.copyFileSync(path.join(example, f), path.join(repo, f));
    fs.chmodSync(path.join(repo, f), fs.statSync(path.join(example, f)).mode);
  }
  // What `npm ci` gives the workflow: the package (this repository's build) and its peer @pulumi/pulumi.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(repo, "node_modules"));
  fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\nreview.md\nreview.json\n");
  await git("init", "-q", "-b", "main");
});
afterAll(async () => {
  if (repo) fs.rmSync(repo, { recursive: true, force: true });
  await backend?.remove();
});

test("pull request → review shows the promotion → merge → up promotes once → the next review is empty", async () => {
  const manifest = env.emulator.manifest;
  const folder = uniqueName("census");
  const v1 = await env.models.upload(`${folder}/`, "2026-11", 1);
  const config = { ...configFromManifest(manifest, "unused.csv"), endpointName: { value: uniqueName("gitops") }, modelFolder: { value: `${folder}/2026-11/` } };

  await withStack(
    repo,
    config,
    async ({ stack, envVars }) => {
      const ciEnv = { ...envVars, STACK: stack.name };
      const review = async (): Promise<Review> => {
        const r = await run("ci/review.sh", [], ciEnv);
        expect(r.code).toBe(0);
        return JSON.parse(fs.readFileSync(path.join(repo, "review.json"), "utf8")) as Review;
      };
      // The stack's settings live in git (Pulumi.<stack>.yaml, secrets encrypted); main is deployed.
      await git("add", "-A");
      await git("commit", "-q", "-m", "census scoring on model 2026-11");
      expect((await run("ci/promote.sh", [], ciEnv)).code).toBe(0);
      const outputs = await stack.outputs();
      expect(await scoringModel(outputs.scoringApiLocation.value, outputs.scoringKey.value)).toBe(boundPath(manifest.containers.models, v1.sha256));

      // New data → a new model lands in its own folder; a branch points the stack at it.
      const v2 = await env.models.upload(`${folder}/`, "2026-12", 2);
      await git("checkout", "-q", "-b", "promote-2026-12");
      await stack.setConfig("modelFolder", { value: `${folder}/2026-12/` });
      await git("commit", "-q", "-am", "promote census model 2026-12");

      // The pull request's review: the promotion, and nothing written.
      await resetEmulatorRequests(env.emulator.url);
      const proposed = await review();
      expect(proposed.summary).toBe("1 promotion, 0 refused by gate, 0 trainings, 0 other changes");
      expect(proposed.promotions[0]).toMatchObject({ key: "scoring-model", current: { path: v1.path, etag: v1.etag }, proposed: { path: v2.path, etag: v2.etag }, write: "classic PATCH" });
      expect(fs.readFileSync(path.join(repo, "review.md"), "utf8")).toContain(`\`${manifest.containers.models}/${v2.path}\``);
      expect(await emulatorWrites(env.emulator.url)).toEqual({});

      // Merge, and the push to main runs up: exactly one write, scoring serves the new model.
      await git("checkout", "-q", "main");
      await git("merge", "-q", "--no-ff", "-m", "Merge promote-2026-12", "promote-2026-12");
      const up = await run("ci/promote.sh", [], ciEnv);
      expect(up.code).toBe(0);
      expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
      expect(await scoringModel(outputs.scoringApiLocation.value, outputs.scoringKey.value)).toBe(boundPath(manifest.containers.models, v2.sha256));

      // The next review on main is empty.
      const after = await review();
      expect(after.summary).toBe("0 promotions, 0 refused by gate, 0 trainings, 0 other changes");
      expect(fs.readFileSync(path.join(repo, "review.md"), "utf8")).toContain("No changes: `pulumi up` will write nothing.");
    },
    { envOverrides: backend.envVars },
  );
});
