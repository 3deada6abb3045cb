/**
 * The Slack installation a request belongs to, and its one key format. Pure.
 */

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
  const known = keys.get(ref);
  if (known) return known;
  const id = ref.isEnterpriseInstall ? ref.enterpriseId : (ref.teamId ?? ref.enterpriseId);
  const prefix = ref.isEnterpriseInstall || !ref.teamId ? 'E' : 'T';
  if (!id || !/^[A-Z0-9]{1,32}$/.test(id)) throw new Error('request names no valid Slack team or enterprise');
  const key = `${prefix}.${id}`;
  keys.set(ref, key);
  return key;
}

/**
 * Keys already made, by reference object: a request builds its reference once, and every layer
 * that needs the key gets it without computing it again. (References are not changed after they
 * are made; a changed copy is a new object.)
 */
const keys = new WeakMap<InstallationRef, string>();
