/**
 * The GitOps workflow of examples/gitops, played locally (issues 10 and 17): a throwaway git repository holding the
 * example with a bare `origin`, its state on the azblob backend (Azurite), the emulator as the service, a small
 * recording HTTP server as the forge, and the workflows' own steps: azureml-retrain-update (model-updates.yml),
 * ci/review.sh on the pull request (review + saved plan), ci/promote.sh on merge (`up --plan`).
 *
 * Model lands → the automation pins it on a branch and opens the pull request with the review → a second run
 * changes nothing → review → the pinned blob is overwritten before the merge → the merge's up is refused
 * (the pin's check: other bytes than its sha256), 0 writes → the automation re-pins the new bytes on the same branch and updates the same pull
 * request → review → merge → exactly one write, and exactly the pinned bytes serve.
 */
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import type { Review } from "../../provider/review";
import { configFromManifest } from "../../examples/local/manifestConfig";
import { REPO_ROOT } from "../../scripts/services/pulumiEnv";
import { AzblobBackend, azblobBackend } from "../support/azblob";
import { withStack } from "../support/pulumi";
import { boundPath, emulatorWrites, resetEmulatorRequests, servedModelVersion, usePromotionEmulator } from "../support/promotion";
import { testStorageConnectionString, uniqueName } from "../support/storage";

const example = path.join(REPO_ROOT, "examples", "gitops");
const env = usePromotionEmulator();
const TOKEN = "forge-token-not-for-logs";
let backend: AzblobBackend;
let repo: string;
let origin: string;

/** The forge: GitHub's pull-request calls, answered from memory and recorded. */
interface ForgeCall { method: string; url: string; auth?: string; body?: { title?: string; body?: string; head?: string; base?: string } }
const forgeCalls: ForgeCall[] = [];
const pulls: Array<{ number: number; html_url: string; title: string; body: string; head: string; base: string }> = [];
const forge = http.createServer((req, res) => {
  let text = "";
  req.on("data", (c) => (text += c));
  req.on("end", () => {
    const body = text ? JSON.parse(text) : undefined;
    forgeCalls.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
    const url = new URL(req.url!, "http://forge");
    const send = (status: number, data: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(data));
    if (req.method === "GET" && url.pathname === "/repos/acme/census/pulls") return send(200, pulls.filter((p) => `acme:${p.head}` === url.searchParams.get("head")));
    if (req.method === "POST" && url.pathname === "/repos/acme/census/pulls") {
      const pr = { number: pulls.length + 1, html_url: `http://forge/acme/census/pull/${pulls.length + 1}`, ...body };
      pulls.push(pr);
      return send(201, pr);
    }
    const m = /^\/repos\/acme\/census\/pulls\/(\d+)$/.exec(url.pathname);
    const pr = m && pulls.find((p) => p.number === Number(m[1]));
    if (req.method === "PATCH" && pr) return send(200, Object.assign(pr, body));
    send(404, { message: "Not Found" });
  });
});

function run(cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: repo, env: { ...process.env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const GIT_ENV = { GIT_AUTHOR_NAME: "ci", GIT_AUTHOR_EMAIL: "ci@example.invalid", GIT_COMMITTER_NAME: "ci", GIT_COMMITTER_EMAIL: "ci@example.invalid" };
async function git(...args: string[]): Promise<string> {
  const r = await run("git", args, GIT_ENV);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout.trim();
}

async function sha256Of(blobPath: string): Promise<string> {
  const container = BlobServiceClient.fromConnectionString(testStorageConnectionString()).getContainerClient(env.emulator.manifest.containers.models);
  return createHash("sha256").update(await container.getBlobClient(blobPath).downloadToBuffer()).digest("hex");
}

beforeAll(async () => {
  backend = await azblobBackend();
  await new Promise<void>((resolve) => forge.listen(0, "127.0.0.1", resolve));
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-"));
  origin = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-origin-"));
  for (const f of ["Pulumi.yaml", "index.ts", "package.json", "ci/review.sh", "ci/promote.sh", ".github/workflows/promotion.yml", ".github/workflows/model-updates.yml"]) {
    fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
    fs.copyFileSync(path.join(example, f), path.join(repo, f));
    fs.chmodSync(path.join(repo, f), fs.statSync(path.join(example, f)).mode);
  }
  // What `npm ci` gives the workflow: the package (this repository's build) and its peer @pulumi/pulumi.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(repo, "node_modules"));
  fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\nreview.md\nreview.json\nplan.json\n");
  await git("init", "-q", "--bare", origin);
  await git("init", "-q", "-b", "main");
  await git("remote", "add", "origin", origin);
});
afterAll(async () => {
  for (const dir of [repo, origin]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => forge.close(resolve));
  await backend?.remove();
});

test("model lands → update pull request → review + plan → a blob overwritten before merge is refused → re-pinned → merge promotes exactly the pinned bytes", async () => {
  const manifest = env.emulator.manifest;
  const models = manifest.containers.models;
  const folder = uniqueName("census");
  const v1 = await env.models.upload(`${folder}/`, "v1", 1);
  const config = { ...configFromManifest(manifest, "unused.csv"), endpointName: { value: uniqueName("gitops") } };

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
      const automation = () =>
        run("npx", ["--no-install", "azureml-retrain-update", "--config", "model-updates.yaml"], { ...ciEnv, ...GIT_ENV, GITHUB_TOKEN: TOKEN, AZURE_STORAGE_KEY: manifest.storage.accountKey });
      const served = async () => {
        const outputs = await stack.outputs();
        return servedModelVersion(outputs.scoringApiLocation.value, outputs.scoringKey.value);
      };
      const branch = `model-updates/${stack.name}`;

      // main: the stack's config in git with the first pin.
      const v1sha = await sha256Of(v1.path);
      for (const [field, value] of Object.entries({ container: models, path: v1.path, sha256: v1sha })) await stack.setConfig(`model.${field}`, { value }, true);
      fs.writeFileSync(
        path.join(repo, "model-updates.yaml"),
        [
          `stack: ${stack.name}`,
          "remote: origin",
          `storage: { accountName: ${manifest.storage.accountName}, blobEndpoint: "${manifest.storage.blobEndpoint}" }`,
          `forge: { repository: acme/census, apiUrl: "http://127.0.0.1:${(forge.address() as AddressInfo).port}" }`,
          "models:",
          `  - { key: model, container: ${models}, prefix: ${folder}/, policy: newest }`,
          "",
        ].join("\n"),
      );
      await git("add", "-A");
      await git("commit", "-q", "-m", "census scoring on model v1");
      await git("push", "-q", "origin", "main");
      // Deployed once by hand (the flow under test starts with the next model).
      await stack.up();
      expect((await served()).location).toBe(boundPath(models, v1sha));

      // A model lands: the automation pins it on a branch and opens the pull request, its body the review.
      const v2 = await env.models.upload(`${folder}/`, "v2", 2);
      const opened = await automation();
      expect(opened.stderr).toBe("");
      expect(opened.code).toBe(0);
      expect(opened.stdout).toContain("pull request #1 created");
      const created = forgeCalls.filter((c) => c.method !== "GET");
      expect(created).toEqual([expect.objectContaining({ method: "POST", auth: `Bearer ${TOKEN}`, body: expect.objectContaining({ head: branch, base: "main" }) })]);
      const body = created[0].body!.body!;
      expect(body).toContain(`| \`model\` | \`${models}/${v1.path}\``);
      expect(body).toContain(`\`${models}/${v2.path}\` sha256 \`${(await sha256Of(v2.path)).slice(0, 12)}\``);
      expect(body).toContain("**1 promotion, 0 refused by gate, 0 trainings, 0 other changes**");
      expect(JSON.stringify(forgeCalls.map((c) => c.body)) + opened.stdout).not.toContain(TOKEN);
      const pinned = await git("rev-parse", `refs/remotes/origin/${branch}`);
      expect(await git("diff", "--stat", "main", pinned)).toMatch(new RegExp(`Pulumi\\.${stack.name}\\.yaml \\| 4 \\+\\+--`));

      // A second run with nothing new changes nothing: no commit, no push, no pull request write.
      forgeCalls.length = 0;
      const again = await automation();
      expect(again.stdout).toContain("pull request #1 unchanged");
      expect(forgeCalls.map((c) => c.method)).toEqual(["GET"]);
      await git("fetch", "-q", "origin");
      expect(await git("rev-parse", `refs/remotes/origin/${branch}`)).toBe(pinned);

      // The pull request's review and plan; then a different model is written over the pinned path before the merge.
      await git("checkout", "-q", "-B", branch, `origin/${branch}`);
      await resetEmulatorRequests(env.emulator.url);
      const proposed = await review();
      const reviewedSha = await sha256Of(v2.path);
      expect(proposed.promotions[0]).toMatchObject({ current: { path: v1.path }, proposed: { path: v2.path, etag: v2.etag, sha256: reviewedSha }, write: "classic PATCH" });
      await env.models.upload(`${folder}/`, "v2", 3);
      await git("checkout", "-q", "main");
      await git("merge", "-q", "--no-ff", "-m", `Merge ${branch}`, branch);
      const refused = await run("ci/promote.sh", [], ciEnv);
      expect(refused.code).not.toBe(0);
      // The pin's check hashes the blob before the engine compares the plan: the overwritten bytes are refused there.
      expect(refused.stdout + refused.stderr).toContain(`holds other bytes than the program declares: expected sha256 ${reviewedSha}`);
      expect(refused.stderr).toContain("promote: the update did not match the reviewed plan");
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
      expect((await served()).location).toBe(boundPath(models, v1sha));
      await git("push", "-q", "origin", "main");
      await git("branch", "-q", "-D", branch);

      // The automation sees new bytes at the path: it re-pins them on the same branch and updates the same pull request.
      const v2b = { path: v2.path, sha256: await sha256Of(v2.path) };
      forgeCalls.length = 0;
      const updated = await automation();
      expect(updated.stdout).toContain("pull request #1 updated");
      expect(forgeCalls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
      expect(pulls).toHaveLength(1);
      expect(pulls[0].body).toContain(`sha256 \`${v2b.sha256.slice(0, 12)}\``);

      // Review, merge: the unchanged plan applies exactly the reviewed write, and the pinned bytes serve.
      await git("fetch", "-q", "origin");
      await git("checkout", "-q", "-B", branch, `origin/${branch}`);
      const second = await review();
      expect(second.summary).toBe("1 promotion, 0 refused by gate, 0 trainings, 0 other changes");
      expect(second.promotions[0].proposed!.sha256).toBe(v2b.sha256);
      await git("checkout", "-q", "main");
      await git("merge", "-q", "--no-ff", "-m", `Merge ${branch}`, branch);
      await resetEmulatorRequests(env.emulator.url);
      const up = await run("ci/promote.sh", [], ciEnv);
      expect(up.stderr).not.toContain("promote:");
      expect(up.code).toBe(0);
      expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
      expect((await served()).location).toBe(boundPath(models, v2b.sha256));
      expect(await sha256Of(v2b.path)).toBe(v2b.sha256);
    },
    { envOverrides: backend.envVars },
  );
}, 360_000);

test("a promotion with no reviewed plan fails loudly and writes nothing", async () => {
  const r = await run("ci/promote.sh", [], { STACK: "prod", PLAN: path.join(repo, "no-such-plan.json") });
  expect(r.code).toBe(3);
  expect(r.stderr).toContain("promote: no reviewed plan at");
});
