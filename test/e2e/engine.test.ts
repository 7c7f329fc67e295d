import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { collectSteps, withStack } from "../support/pulumi";

const project = path.join(__dirname, "fixtures", "engineSmoke");

test("the engine creates, previews, updates, refreshes and destroys a dynamic resource", async () => {
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "engine-smoke-")), "greeting.txt");
  await withStack(project, { path: { value: target }, content: { value: "hello" } }, async ({ stack }) => {
    const created = await stack.up();
    expect(created.summary.resourceChanges).toEqual({ create: 2 });
    expect(created.outputs.length.value).toBe(5);
    expect(fs.readFileSync(target, "utf8")).toBe("hello");

    const unchanged = await stack.preview();
    expect(unchanged.changeSummary).toEqual({ same: 2 });

    await stack.setConfig("content", { value: "hello, world" });
    const events: EngineEvent[] = [];
    const preview = await stack.preview({ onEvent: (e) => events.push(e) });
    expect(preview.changeSummary).toEqual({ same: 1, update: 1 });
    const changed = collectSteps(events).filter((s) => s.op !== "same");
    expect(changed).toHaveLength(1);
    const [step] = changed;
    expect(step).toMatchObject({ op: "update", name: "greeting" });
    expect(step.oldInputs?.content).toBe("hello");
    expect(step.newInputs?.content).toBe("hello, world");

    const updated = await stack.up();
    expect(updated.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(fs.readFileSync(target, "utf8")).toBe("hello, world");

    const refreshed = await stack.refresh();
    expect(refreshed.summary.resourceChanges).toEqual({ same: 2 });

    const destroyed = await stack.destroy();
    expect(destroyed.summary.resourceChanges).toEqual({ delete: 2 });
    expect(fs.existsSync(target)).toBe(false);
  });
});
