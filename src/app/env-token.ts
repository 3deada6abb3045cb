/**
 * The operator's Astro API token (`ASTRO_API_TOKEN`) at start-up: an expired token stops start-up
 * with one line saying when it expired; a token Astro refuses (401/403 on a test call) is logged
 * plainly; Astro being unreachable does not stop start-up.
 */
import type { AstroClient, AstroTarget } from '../astro/client.js';
import { readTokenClaims, TokenShapeError } from '../astro/token.js';
import { toFailure } from '../core/outcomes.js';
import type { Logger } from '../logger.js';

/** What the start-up check found. */
export type EnvTokenCheck = 'ok' | 'refused' | 'unreachable' | 'unreadable';

/** The token is expired: start-up must stop. The message names the variable and the date; never the token. */
export class EnvTokenExpiredError extends Error {
  constructor(expiredAt: number) {
    super(`ASTRO_API_TOKEN expired on ${new Date(expiredAt).toISOString().replace('T', ' ').slice(0, 16)} UTC: create a new Organization API token in Astro (Organization Settings → Access Management → API Tokens) and set it.`);
    this.name = 'EnvTokenExpiredError';
  }
}

/**
 * Checks `target` (the environment's token): its expiry from its claims, then a test call
 * (`ListUsers`, limit 1) bounded by `timeoutMs` (ms). Logs what it found.
 * @param now the current time in ms (tests).
 * @throws {EnvTokenExpiredError} when the token's `exp` has passed.
 */
export async function checkEnvToken(astro: AstroClient, target: AstroTarget, log: Logger, options: { timeoutMs?: number; now?: number } = {}): Promise<EnvTokenCheck> {
  const now = options.now ?? Date.now();
  try {
    readTokenClaims(target.apiToken, now);
  } catch (err) {
    if (err instanceof TokenShapeError && err.expiredAt !== undefined) throw new EnvTokenExpiredError(err.expiredAt);
    if (err instanceof TokenShapeError) {
      log.error({ check: 'astro_token' }, `ASTRO_API_TOKEN cannot be read as an Astro API token: ${err.message}`);
      return 'unreadable';
    }
    throw err;
  }
  try {
    await astro.listUsers(target, { offset: 0, limit: 1 }, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
    log.info({ check: 'astro_token' }, 'ASTRO_API_TOKEN works: Astro answered a test call');
    return 'ok';
  } catch (err) {
    const failure = toFailure(err);
    if (failure.code === 'astro' && (failure.kind === 'unauthorized' || failure.kind === 'forbidden')) {
      log.error(
        { check: 'astro_token', kind: failure.kind, requestId: failure.requestId },
        failure.kind === 'unauthorized'
          ? 'Astro refused ASTRO_API_TOKEN (401): it is invalid or was revoked. Lookups with it will fail until it is replaced.'
          : "Astro refused ASTRO_API_TOKEN (403): it may not list the organization's users. Use an Organization API token with the Organization Member role.",
      );
      return 'refused';
    }
    const kind = failure.code === 'astro' ? failure.kind : failure.code;
    if (kind === 'unavailable' || kind === 'timeout' || kind === 'rate_limited') {
      log.warn({ check: 'astro_token', kind }, 'could not reach Astro to check ASTRO_API_TOKEN; starting anyway');
      return 'unreachable';
    }
    log.warn({ check: 'astro_token', kind }, `Astro answered the ASTRO_API_TOKEN test call with "${kind}"; check ASTRO_API_URL and ASTRO_ORGANIZATION_ID`);
    return 'refused';
  }
}
