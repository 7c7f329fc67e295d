/**
 * The forge's pull-request API (GitHub REST v3: `GET/POST /repos/{owner}/{repo}/pulls`, `PATCH …/pulls/{n}`).
 * One open pull request per update branch: found by its head, created when missing, its title and body updated
 * when they changed. The token goes only into the Authorization header; errors name the call and the status.
 */
import axios from "axios";

export interface ForgeOptions {
  /** `https://api.github.com`, or a GitHub Enterprise `https://host/api/v3`. */
  apiUrl: string;
  /** `owner/name`. */
  repository: string;
  token: string;
}

export interface PullRequest {
  number: number;
  url: string;
  title: string;
  body: string;
}

export interface PullRequestResult extends PullRequest {
  action: "created" | "updated" | "unchanged";
}

async function call<T>(o: ForgeOptions, method: "GET" | "POST" | "PATCH", path: string, data?: unknown): Promise<T> {
  try {
    const res = await axios.request<T>({
      method,
      url: `${o.apiUrl.replace(/\/+$/, "")}/repos/${o.repository}${path}`,
      data,
      headers: { Authorization: `Bearer ${o.token}`, Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" },
      timeout: 30_000,
    });
    return res.data;
  } catch (err) {
    const status = axios.isAxiosError(err) ? (err.response?.status ?? err.code ?? "no answer") : "error";
    const message = axios.isAxiosError(err) ? (err.response?.data as { message?: string } | undefined)?.message ?? err.message : String(err);
    throw new Error(`forge: ${method} /repos/${o.repository}${path.split("?")[0]} failed: ${status} ${message}. Check the repository name and that the token may write pull requests.`);
  }
}

function owner(repository: string): string {
  return repository.split("/")[0];
}

interface ApiPull {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
}

const pull = (p: ApiPull): PullRequest => ({ number: p.number, url: p.html_url, title: p.title, body: p.body ?? "" });

/** The open pull request from `head` into `base`, if any. */
export async function findPullRequest(o: ForgeOptions, head: string, base: string): Promise<PullRequest | undefined> {
  const open = await call<ApiPull[]>(o, "GET", `/pulls?state=open&head=${encodeURIComponent(`${owner(o.repository)}:${head}`)}&base=${encodeURIComponent(base)}`);
  return open[0] ? pull(open[0]) : undefined;
}

/** Opens the branch's pull request, or updates the open one; writes nothing when title and body are the same. */
export async function upsertPullRequest(o: ForgeOptions, pr: { head: string; base: string; title: string; body: string }): Promise<PullRequestResult> {
  const existing = await findPullRequest(o, pr.head, pr.base);
  if (!existing) return { ...pull(await call<ApiPull>(o, "POST", "/pulls", pr)), action: "created" };
  if (existing.title === pr.title && existing.body === pr.body) return { ...existing, action: "unchanged" };
  return { ...pull(await call<ApiPull>(o, "PATCH", `/pulls/${existing.number}`, { title: pr.title, body: pr.body })), action: "updated" };
}
