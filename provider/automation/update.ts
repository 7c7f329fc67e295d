/**
 * Model-update pull requests (issue 17 item 2), in Flux's seams: scan each source (scan.ts), choose by its policy
 * (policy.ts), write the pin into `Pulumi.<stack>.yaml` (pinFile.ts) on one branch per stack, commit, push, and
 * open or update one pull request whose body is the promotion review (forge.ts). The pin in git is the approval the
 * merge applies. Idempotent: with nothing new there is no commit, no push and no forge write; a newer model
 * rebuilds the same branch from the base and updates the same pull request.
 */
import * as fs from "fs";
import * as path from "path";
import type { StorageAccess } from "../clients/storage";
import type { ModelPin } from "../pinnedModel";
import { shortTime } from "../review/render";
import { ForgeOptions, PullRequestResult, findPullRequest, upsertPullRequest } from "./forge";
import { gitIn } from "./git";
import { projectName, readPin, samePin, writePin } from "./pinFile";
import type { ModelSource } from "./policy";
import { ScanResult, scanSource } from "./scan";

/** GitHub refuses a pull request body over 65,536 characters. */
export const MAX_BODY_CHARS = 60_000;

export interface UpdateOptions {
  /** The git checkout (work tree root). */
  repoDir: string;
  /** Folder of the Pulumi project inside the repository; default the root. */
  projectDir?: string;
  stack: string;
  sources: ModelSource[];
  storage: StorageAccess;
  /** Default `main`. */
  base?: string;
  /** Default `model-updates/<stack>`. */
  branch?: string;
  /** Fetch from and push to this remote (e.g. `origin`); without it, local branches only. */
  remote?: string;
  /** With a forge, the pull request is opened or updated; without, the result says what would be opened. */
  forge?: ForgeOptions;
  /** The review of the branch's checkout, for the body (e.g. reviewStack + renderMarkdown). */
  review?: (projectDir: string) => Promise<string>;
  /** Commit identity; default the repository's git config. */
  author?: { name: string; email: string };
}

export interface PinChange {
  key: string;
  old?: Partial<ModelPin>;
  new: ScanResult["wanted"] & ModelPin;
  reason: string;
}

export interface UpdateResult {
  /** `up-to-date`: every pin on the base is what its policy wants; `unchanged`: the branch already proposes it. */
  status: "up-to-date" | "unchanged" | "updated";
  changes: PinChange[];
  /** Sources where no model qualified, with why. */
  skipped: Array<{ key: string; reason: string }>;
  branch: string;
  commit?: string;
  pullRequest?: PullRequestResult;
  /** Without a forge: the pull request this run would open. */
  wouldOpen?: { head: string; base: string; title: string; body: string };
}

function pinText(p: Partial<ModelPin> | undefined): string {
  return p?.path ? `\`${p.container}/${p.path}\` sha256 \`${String(p.sha256 ?? "").slice(0, 12)}\`` : "none";
}

export function pullRequestTitle(stack: string, changes: PinChange[]): string {
  if (changes.length === 1) return `Pin ${changes[0].key} of ${stack} to ${changes[0].new.path} (sha256 ${changes[0].new.sha256.slice(0, 12)})`;
  return `Pin ${changes.length} models of ${stack}: ${changes.map((c) => c.key).join(", ")}`;
}

/** The pins old → new, then the review; cut to what the forge accepts. */
export function pullRequestBody(stack: string, changes: PinChange[], review?: string): string {
  const rows = changes.map((c) => `| \`${c.key}\` | ${pinText(c.old)} | ${pinText(c.new)} (${shortTime(c.new.lastModified)}) | ${c.reason} |`);
  const head = [`Model update for stack \`${stack}\`, opened by azureml-retrain-update. Merging applies exactly these pins.`, "", "| pin | current | proposed | why |", "|---|---|---|---|", ...rows, ""].join("\n");
  const body = review ? `${head}\n${review}\n` : head;
  return body.length <= MAX_BODY_CHARS ? body : `${body.slice(0, MAX_BODY_CHARS)}\n\n… the review was cut here: the full report is in the workflow's review.md.\n`;
}

export async function updateModelPins(o: UpdateOptions): Promise<UpdateResult> {
  const git = gitIn(o.repoDir, o.author ? { GIT_AUTHOR_NAME: o.author.name, GIT_AUTHOR_EMAIL: o.author.email, GIT_COMMITTER_NAME: o.author.name, GIT_COMMITTER_EMAIL: o.author.email } : {});
  const base = o.base ?? "main";
  const branch = o.branch ?? `model-updates/${o.stack}`;
  const projectDir = o.projectDir ?? ".";
  const file = path.posix.join(projectDir, `Pulumi.${o.stack}.yaml`);
  if ((await git("status", "--porcelain", "--untracked-files=no")).trim()) throw new Error(`azureml-retrain-update: ${o.repoDir} has uncommitted changes: commit or stash them first (the update checks out ${branch}).`);
  if (o.remote) {
    await git("fetch", "-q", o.remote, `+refs/heads/${base}:refs/remotes/${o.remote}/${base}`);
    await git.maybe("fetch", "-q", o.remote, `+refs/heads/${branch}:refs/remotes/${o.remote}/${branch}`);
  }
  const baseRef = o.remote ? `${o.remote}/${base}` : base;
  const branchRef = o.remote ? `${o.remote}/${branch}` : branch;
  const baseText = await git.maybe("show", `${baseRef}:${file}`);
  if (baseText === undefined) throw new Error(`azureml-retrain-update: ${file} is not on ${baseRef}: create the stack and commit its config first.`);
  const project = projectName(await git("show", `${baseRef}:${path.posix.join(projectDir, "Pulumi.yaml")}`));

  const changes: PinChange[] = [];
  const skipped: UpdateResult["skipped"] = [];
  for (const source of o.sources) {
    const old = readPin(baseText, project, source.key);
    const scan = await scanSource(o.storage, source, old);
    if (!scan.wanted) skipped.push({ key: source.key, reason: scan.reason });
    else if (!samePin(old, scan.wanted)) changes.push({ key: source.key, ...(old ? { old } : {}), new: scan.wanted, reason: scan.reason });
  }
  if (changes.length === 0) return { status: "up-to-date", changes, skipped, branch };

  const desired = changes.reduce((text, c) => writePin(text, project, c.key, { container: c.new.container, path: c.new.path, sha256: c.new.sha256 }), baseText);
  const title = pullRequestTitle(o.stack, changes);
  const proposed = await git.maybe("show", `${branchRef}:${file}`);
  const baseCommit = (await git("rev-parse", baseRef)).trim();
  const onBase = (await git.maybe("merge-base", "--is-ancestor", baseCommit, branchRef)) !== undefined;
  if (proposed === desired && onBase) {
    // Nothing new: no commit, no push; the forge only gets a pull request when the branch has none open.
    if (!o.forge) return { status: "unchanged", changes, skipped, branch };
    const open = await findPullRequest(o.forge, branch, base);
    if (open) return { status: "unchanged", changes, skipped, branch, pullRequest: { ...open, action: "unchanged" } };
  }

  const original = (await git("rev-parse", "--abbrev-ref", "HEAD")).trim();
  let body: string;
  let commit: string | undefined;
  try {
    if (proposed !== desired || !onBase) {
      await git("checkout", "-q", "-B", branch, baseRef);
      fs.writeFileSync(path.join(o.repoDir, file), desired);
      await git("add", file);
      await git("commit", "-q", "-m", title, "-m", changes.map((c) => `${c.key}: ${c.new.container}/${c.new.path} sha256 ${c.new.sha256} (${c.reason})`).join("\n"));
      commit = (await git("rev-parse", "HEAD")).trim();
      if (o.remote) await git("push", "-q", "--force", o.remote, `${branch}:refs/heads/${branch}`);
    } else {
      await git("checkout", "-q", branch);
    }
    body = pullRequestBody(o.stack, changes, o.review ? await o.review(path.join(o.repoDir, projectDir)) : undefined);
  } finally {
    if (original !== "HEAD") await git("checkout", "-q", original);
  }
  const pr = { head: branch, base, title, body };
  if (!o.forge) return { status: "updated", changes, skipped, branch, commit, wouldOpen: pr };
  return { status: commit ? "updated" : "unchanged", changes, skipped, branch, commit, pullRequest: await upsertPullRequest(o.forge, pr) };
}
