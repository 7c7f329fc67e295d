import { blobEndpointOf, blobUrl, connectionString, evaluationPathFor, mintSas, parseEvaluationMetrics, parseListBlobsXml, splitRelativeLocation } from "../../../../provider/clients/storage";

const access = { accountName: "devstoreaccount1", accountKey: Buffer.from("not-a-real-key-but-base64").toString("base64"), blobEndpoint: "http://127.0.0.1:10000/devstoreaccount1" };
const now = new Date("2024-05-01T12:00:00Z");

function params(sas: string): URLSearchParams {
  expect(sas.startsWith("?")).toBe(true);
  return new URLSearchParams(sas.slice(1));
}

describe("mintSas", () => {
  test("blob-scoped, read-only, st 5 minutes back, se = now + 15 minutes by default", () => {
    const p = params(mintSas({ access, container: "models", path: "a/model.ilearner", now }));
    expect(p.get("sr")).toBe("b");
    expect(p.get("sp")).toBe("r");
    expect(p.get("st")).toBe("2024-05-01T11:55:00Z");
    expect(p.get("se")).toBe("2024-05-01T12:15:00Z");
    expect(p.get("sv")).toBe("2021-08-06");
    expect(p.get("sig")).toBeTruthy();
  });
  test("lifetime is configurable", () => {
    expect(params(mintSas({ access, container: "models", path: "m.ilearner", lifetimeMinutes: 5, now })).get("se")).toBe("2024-05-01T12:05:00Z");
  });
  test("container-scoped list SAS", () => {
    const p = params(mintSas({ access, container: "models", permissions: "rl", now }));
    expect([p.get("sr"), p.get("sp")]).toEqual(["c", "rl"]);
  });
  test("user-delegation key", () => {
    const p = params(
      mintSas({
        access: {
          accountName: "acct",
          userDelegationKey: {
            signedObjectId: "11111111-1111-1111-1111-111111111111",
            signedTenantId: "22222222-2222-2222-2222-222222222222",
            signedStartsOn: "2024-05-01T00:00:00Z",
            signedExpiresOn: "2024-05-02T00:00:00Z",
            signedService: "b",
            signedVersion: "2021-08-06",
            value: Buffer.from("delegation-key").toString("base64"),
          },
        },
        container: "models",
        path: "m.ilearner",
        now,
      }),
    );
    expect([p.get("sr"), p.get("sp"), p.get("skoid")]).toEqual(["b", "r", "11111111-1111-1111-1111-111111111111"]);
  });
  test("no credential is an error that names the inputs", () => {
    expect(() => mintSas({ access: { accountName: "a" }, container: "c", path: "p" })).toThrow("storage access needs storageAccountKey or storageUserDelegationKey to mint a SAS");
  });
});

describe("locations", () => {
  test("blob endpoint and url", () => {
    expect(blobEndpointOf({ accountName: "acct" })).toBe("https://acct.blob.core.windows.net/");
    expect(blobEndpointOf(access)).toBe("http://127.0.0.1:10000/devstoreaccount1/");
    expect(blobUrl(access, "models", "run 1/model.ilearner")).toBe("http://127.0.0.1:10000/devstoreaccount1/models/run%201/model.ilearner");
  });
  test("evaluation sits beside the model", () => {
    expect(evaluationPathFor("census/2024/model.ilearner")).toBe("census/2024/evaluation.csv");
    expect(evaluationPathFor("model.ilearner")).toBe("evaluation.csv");
  });
  test("relative locations", () => {
    expect(splitRelativeLocation("/models/a/b.ilearner")).toEqual({ container: "models", path: "a/b.ilearner" });
  });
  test("connection string carries the endpoint only when not the default", () => {
    expect(connectionString({ accountName: "acct", accountKey: "K" })).toBe("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=K");
    expect(connectionString({ ...access, accountKey: "K" })).toBe("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=K;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1");
  });
});

describe("listing", () => {
  test("parses blobs, identity and next marker", () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="models"><Blobs>
      <Blob><Name>a/model.ilearner</Name><Properties><Last-Modified>Wed, 01 May 2024 10:00:00 GMT</Last-Modified><Etag>"0x8DC1"</Etag><Content-Length>1234</Content-Length><Content-MD5>q1w2e3==</Content-MD5></Properties></Blob>
      <Blob><Name>a/evaluation.csv</Name><Properties><Last-Modified>Wed, 01 May 2024 10:00:01 GMT</Last-Modified><Etag>0x8DC2</Etag><Content-Length>99</Content-Length><Content-MD5 /></Properties></Blob>
    </Blobs><NextMarker>m2</NextMarker></EnumerationResults>`;
    expect(parseListBlobsXml("models", xml)).toEqual({
      blobs: [
        { container: "models", path: "a/model.ilearner", etag: "0x8DC1", size: 1234, lastModified: "2024-05-01T10:00:00.000Z", contentMd5: "q1w2e3==" },
        { container: "models", path: "a/evaluation.csv", etag: "0x8DC2", size: 99, lastModified: "2024-05-01T10:00:01.000Z" },
      ],
      nextMarker: "m2",
    });
  });
});

describe("evaluation CSV", () => {
  test("parses the Evaluate Model columns by name", () => {
    const csv =
      "True Positive,False Negative,False Positive,True Negative,Positive Label,Negative Label,Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Rows\n" +
      "120,30,40,810,>50K,<=50K,0.93,0.75,0.8,0.7742,0.912,0.31,1000\n";
    expect(parseEvaluationMetrics(csv)).toEqual({ auc: 0.912, accuracy: 0.93, precision: 0.75, recall: 0.8, f1: 0.7742 });
  });
  test("missing or bad columns are left out", () => {
    expect(parseEvaluationMetrics("AUC,Accuracy\nx,0.5\n")).toEqual({ accuracy: 0.5 });
    expect(parseEvaluationMetrics("")).toEqual({});
  });
});
