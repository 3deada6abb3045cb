/**
 * Reading an Astro API token's claims, without verifying it (only Astro can): its shape, the
 * organization it belongs to, its kind and scope, and its expiry. Astro API tokens are JWTs whose
 * custom claim `permissions` lists entries such as `organizationId:<id>` and `workspaceId:<id>`
 * (astro-cli `pkg/util/util.go` ParseAPIToken and `cmd/cloud/setup.go` checkAPIToken; see
 * https://www.astronomer.io/docs/astro/organization-api-tokens).
 */
import { z } from 'zod';

/** What the token says about itself. */
export interface TokenClaims {
  /** Organization from `permissions` (`organizationId:<id>`). */
  organizationId: string;
  /** Workspace from `permissions` (`workspaceId:<id>`), for a Workspace API token. */
  workspaceId?: string;
  /** Deployment from `permissions` (`deploymentId:<id>`), for a Deployment API token. */
  deploymentId?: string;
  /** ORGANIZATION, WORKSPACE or DEPLOYMENT: from the `scope` claim, else inferred from permissions. */
  scope: 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT';
  /** Expiry in ms since the epoch (`exp`), when the token has one ("never expires" otherwise). */
  expiresAt?: number;
}

/** Why a token was refused before any API call. */
export class TokenShapeError extends Error {
  /** When the token expired (ms since the epoch), when that is why it was refused. */
  readonly expiredAt?: number;

  constructor(message: string, expiredAt?: number) {
    super(message);
    this.name = 'TokenShapeError';
    if (expiredAt !== undefined) this.expiredAt = expiredAt;
  }
}

const ClaimsSchema = z.object({
  permissions: z.array(z.string()).optional(),
  scope: z.string().optional(),
  exp: z.number().optional(),
});

/**
 * Reads the claims of `token`.
 * @param now the current time in ms (tests).
 * @throws {TokenShapeError} with a reason a person can act on: not a JWT, no organization in its
 *   permissions ("does not appear to be an Astro API token", as the CLI says), or expired.
 */
export function readTokenClaims(token: string, now = Date.now()): TokenClaims {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw new TokenShapeError("That isn't an Astro API token: those are long JWTs (three parts separated by dots). Copy it again from Astro.");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new TokenShapeError("That token can't be read. Copy it again from Astro.");
  }
  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) throw new TokenShapeError("That token can't be read. Copy it again from Astro.");
  const perms = claims.data.permissions ?? [];
  const find = (prefix: string) => perms.find((p) => p.startsWith(`${prefix}:`))?.slice(prefix.length + 1);
  const organizationId = find('organizationId');
  if (!organizationId || !/^[A-Za-z0-9_-]{1,64}$/.test(organizationId)) {
    throw new TokenShapeError('That token does not appear to be an Astro API token: it names no Astro organization.');
  }
  const expiresAt = claims.data.exp !== undefined ? claims.data.exp * 1000 : undefined;
  if (expiresAt !== undefined && expiresAt <= now) {
    throw new TokenShapeError(`That token expired on ${new Date(expiresAt).toISOString().slice(0, 10)}. Create a new one in Astro.`, expiresAt);
  }
  const workspaceId = find('workspaceId');
  const deploymentId = find('deploymentId');
  const declared = claims.data.scope?.toUpperCase();
  const scope =
    declared === 'ORGANIZATION' || declared === 'WORKSPACE' || declared === 'DEPLOYMENT'
      ? declared
      : deploymentId
        ? 'DEPLOYMENT'
        : workspaceId
          ? 'WORKSPACE'
          : 'ORGANIZATION';
  return {
    organizationId,
    scope,
    ...(workspaceId ? { workspaceId } : {}),
    ...(deploymentId ? { deploymentId } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

/** A hint that identifies a token without revealing it: its last 4 characters. */
export function maskToken(token: string): string {
  const t = token.trim();
  return `…${t.slice(-4)}`;
}
