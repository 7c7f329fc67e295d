import { ServiceError } from "../../../../provider/errors";
import { writeOnce } from "../../../../provider/targets/target";

const lost = () => new ServiceError({ code: "ECONNRESET", serviceMessage: "socket hang up", method: "PATCH", url: "https://x/ep", surface: "management" });
const refused = () => new ServiceError({ status: 400, code: "BadArgument", serviceMessage: "bad", method: "PATCH", url: "https://x/ep", surface: "management" });

test("a lost answer whose write took effect is not sent again", async () => {
  const write = jest.fn().mockRejectedValueOnce(lost());
  const applied = jest.fn().mockResolvedValue(true);
  await expect(writeOnce(write, applied)).resolves.toBeUndefined();
  expect(write).toHaveBeenCalledTimes(1);
  expect(applied).toHaveBeenCalledTimes(1);
});

test("a lost answer whose write did not take effect is sent again, and its answer returned", async () => {
  const write = jest.fn().mockRejectedValueOnce(lost()).mockResolvedValueOnce("answer");
  await expect(writeOnce(write, async () => false)).resolves.toBe("answer");
  expect(write).toHaveBeenCalledTimes(2);
});

test("writes are sent at most `attempts` times, then the loss is reported", async () => {
  const write = jest.fn().mockRejectedValue(lost());
  await expect(writeOnce(write, async () => false, 3)).rejects.toThrow(/ECONNRESET/);
  expect(write).toHaveBeenCalledTimes(3);
});

test("an answered refusal is not retried nor read back", async () => {
  const write = jest.fn().mockRejectedValue(refused());
  const applied = jest.fn();
  await expect(writeOnce(write, applied)).rejects.toThrow(/BadArgument/);
  expect(write).toHaveBeenCalledTimes(1);
  expect(applied).not.toHaveBeenCalled();
});

test("a read-back that fails counts as not applied", async () => {
  const write = jest.fn().mockRejectedValueOnce(lost()).mockResolvedValueOnce("answer");
  await expect(writeOnce(write, async () => { throw lost(); })).resolves.toBe("answer");
});
