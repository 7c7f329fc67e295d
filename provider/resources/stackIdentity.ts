/** The stack a program runs as, as ownership claims and the audit name it (provider/ownership.ts, provider/audit.ts). */
import * as pulumi from "@pulumi/pulumi";

/** `<org>/<project>/<stack>`; `<project>/<stack>` where the engine names no organization (older CLIs, mocks). */
export function stackIdentity(): string {
  let org: string | undefined;
  try {
    org = pulumi.getOrganization();
  } catch {
    org = undefined;
  }
  return `${org ? `${org}/` : ""}${pulumi.getProject()}/${pulumi.getStack()}`;
}
