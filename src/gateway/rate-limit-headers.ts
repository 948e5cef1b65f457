// IETF RateLimit-Policy / RateLimit fields, draft -10 structured form (spec §3; wire-formats §3.1).
import type { RateLimitDecision } from '../state/rate-limit/rate-limiter.js';

/** Header fields describing `decision` under the policy `name`; none when the limiter is unlimited. */
export function rateLimitHeaders(name: string, windowSecs: number, decision: RateLimitDecision): Record<string, string> {
  if (decision.limit === 0) return {};
  return {
    'ratelimit-policy': `"${name}";q=${decision.limit};w=${windowSecs}`,
    ratelimit: `"${name}";r=${decision.remaining};t=${decision.resetSecs}`,
  };
}
