/**
 * Retries bounded by a deadline instead of a count (issue 18): the binding's verification probe must ride out
 * 408/429/5xx answers and dropped connections for as long as `verification.timeoutSeconds` allows, wait as long as
 * a Retry-After asks, and give up at the deadline, not minutes after it. The transport's axios-retry options
 * (transport.ts) are wrapped here; without a deadline they are used as they are.
 */
import type { AxiosError } from "axios";
import type { IAxiosRetryConfig } from "axios-retry";

/** The retry count under a deadline: high enough that only the deadline ends the retries. */
export const DEADLINE_RETRIES = 10_000;
/** Under a deadline the backoff stops growing here (a Retry-After may ask for more): a fault that clears is seen soon. */
export const DEADLINE_MAX_BACKOFF_MS = 2_000;

/** One attempt's timeout: the transport's, cut so no attempt runs past the deadline. */
export function attemptTimeoutMs(timeoutMs: number, deadline: number | undefined, now = Date.now()): number {
  return deadline === undefined ? timeoutMs : Math.max(1, Math.min(timeoutMs, deadline - now));
}

type RetryOptions = Required<Pick<IAxiosRetryConfig, "retries" | "retryCondition" | "retryDelay">> & IAxiosRetryConfig;

/**
 * `options` bounded by `deadline` (epoch ms): retry while the transport would and the deadline has not passed;
 * a Retry-After that ends after the deadline ends the retries now (waiting for it would overrun); the backoff stops
 * growing at DEADLINE_MAX_BACKOFF_MS and is cut to the time left, so the last attempt starts at the deadline at the
 * latest; each attempt's timeout is cut too.
 */
export function withDeadline(options: RetryOptions, deadline: number | undefined, timeoutMs: number, retryAfterMs: (err: AxiosError) => number | undefined): IAxiosRetryConfig {
  if (deadline === undefined) return options;
  return {
    ...options,
    retries: DEADLINE_RETRIES,
    retryCondition: (err: AxiosError) => {
      if (!options.retryCondition(err)) return false;
      const now = Date.now();
      const after = retryAfterMs(err);
      return now < deadline && (after === undefined || now + after <= deadline);
    },
    retryDelay: (n: number, err: AxiosError) => {
      const cap = Math.max(DEADLINE_MAX_BACKOFF_MS, retryAfterMs(err) ?? 0);
      return Math.max(0, Math.min(options.retryDelay(n, err), cap, deadline - Date.now()));
    },
    onRetry: (_n: number, _err: AxiosError, config: { timeout?: number }) => {
      config.timeout = attemptTimeoutMs(timeoutMs, deadline);
    },
  };
}
