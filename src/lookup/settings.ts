/**
 * Which Astro organization and token answer for a Slack installation. Today every installation
 * uses the operator's `ASTRO_*` defaults; per-workspace settings plug in behind the same
 * {@link SettingsResolver} interface.
 */
import type { AstroTarget } from '../astro/client.js';

export { installationKey, type InstallationRef } from '../core/installation.js';
import type { InstallationRef } from '../core/installation.js';

/** Resolves the Astro settings of an installation. */
export interface SettingsResolver {
  /** The target for `ref`, or undefined when the installation has not connected Astro. */
  resolve(ref: InstallationRef): Promise<AstroTarget | undefined>;
}
