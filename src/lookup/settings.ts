/**
 * Which Astro organization and token answer for a Slack installation. Today every installation
 * uses the operator's `ASTRO_*` defaults; per-workspace settings plug in behind the same
 * {@link SettingsResolver} interface.
 */
import type { AstroTarget } from '../astro/client.js';

/**
 * The Slack installation a request belongs to: a workspace (`team_id`) or, for an org-wide
 * install, an Enterprise Grid organization (`enterprise_id`).
 */
export interface InstallationRef {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}

/**
 * A stable key for an installation: `E.<enterprise_id>` for org-wide installs, else
 * `T.<team_id>`. Slack IDs are `[A-Z0-9]+`; anything else is rejected so a key can never be
 * forged to look like another installation's.
 *
 * @throws {Error} when the reference names neither a valid team nor enterprise.
 */
export function installationKey(ref: InstallationRef): string {
  const id = ref.isEnterpriseInstall ? ref.enterpriseId : (ref.teamId ?? ref.enterpriseId);
  const prefix = ref.isEnterpriseInstall || !ref.teamId ? 'E' : 'T';
  if (!id || !/^[A-Z0-9]{1,32}$/.test(id)) throw new Error('request names no valid Slack team or enterprise');
  return `${prefix}.${id}`;
}

/** Resolves the Astro settings of an installation. */
export interface SettingsResolver {
  /** The target for `ref`, or undefined when the installation has not connected Astro. */
  resolve(ref: InstallationRef): Promise<AstroTarget | undefined>;
}
