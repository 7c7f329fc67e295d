import { pushHistory, resolvePin } from "../../../../provider/promotion/history";
import { sampleMismatch } from "../../../../provider/promotion/samples";

const m = (v: string) => ({ container: "models", path: `census/${v}/model.ilearner`, etag: `0x${v}`, lastModified: "", size: 1, metrics: { auc: 0.9 } });

test("history keeps the newest first, one entry per model, at most five", () => {
  let h = pushHistory(undefined, m("1"), "t1");
  for (const v of ["2", "3", "1", "4", "5", "6"]) h = pushHistory(h, m(v), `t${v}`);
  expect(h.map((e) => e.etag)).toEqual(["0x6", "0x5", "0x4", "0x1", "0x3"]);
  expect(h[0]).toMatchObject({ path: "census/6/model.ilearner", metrics: { auc: 0.9 }, boundAt: "t6" });
});

test("pins resolve from the history, or say what it holds", () => {
  const h = pushHistory(pushHistory(undefined, m("1"), "t1"), m("2"), "t2");
  expect(resolvePin("previous", h, m("2")).entry?.etag).toBe("0x1");
  expect(resolvePin({ path: "census/1/model.ilearner" }, h, m("2")).entry?.etag).toBe("0x1");
  expect(resolvePin({ path: "census/1/model.ilearner", etag: "0xother" }, h, m("2")).reason).toMatch(/no model census\/1\/model\.ilearner with etag 0xother .* the history holds models\/census\/2/);
  expect(resolvePin("previous", [], m("2")).reason).toMatch(/history is empty/);
});

test.each([
  [{ expectLabel: ">50K" }, { scoredLabel: ">50K" }, undefined],
  [{ expectLabel: ">50K" }, { scoredLabel: "<=50K" }, 'label "<=50K", expected ">50K"'],
  [{ probabilityBetween: [0.6, 1] as [number, number] }, { scoredProbability: 0.4 }, "probability 0.4, expected 0.6..1"],
  [{ expectLabel: ">50K", probabilityBetween: [0.6, 1] as [number, number] }, {}, 'label missing, expected ">50K", probability missing, expected 0.6..1'],
])("sample %j scored %j → %s", (expect_, scored, miss) => {
  expect(sampleMismatch({ row: { age: 45 }, ...expect_ }, scored)).toBe(miss);
});
