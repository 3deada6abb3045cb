/**
 * Astro ID format. Astro IDs are CUIDs: `c` then 24 lowercase letters or digits, 25 characters
 * in all (e.g. `clm9sq6s0000008kz7uvl7yz7`). Source: terraform-provider-astro validates user,
 * workspace and deployment IDs with `lucsky/cuid` `IsCuid`:
 * https://github.com/astronomer/terraform-provider-astro (internal/provider/validators).
 */

/** Matches one whole Astro ID. */
export const ASTRO_ID_RE = /^c[0-9a-z]{24}$/;

/** True when `s` is a well-formed Astro ID. */
export function isAstroId(s: string): boolean {
  return ASTRO_ID_RE.test(s);
}


/** A plain ID: what may go into a URL path unescaped. */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The Astro UI page of a Deployment: `${uiBase}/${workspaceId}/deployments/${deploymentId}`
 * (astro-cli `GetDeploymentURL`; https://github.com/astronomer/astro-cli), e.g.
 * `https://cloud.astronomer.io/clx1ws…/deployments/clx1dep…`.
 * @param uiBase The Astro UI base, `http(s)://host[/path]`; trailing slashes are ignored.
 * @param workspaceId The Deployment's Workspace ID.
 * @param deploymentId The Deployment ID.
 * @returns The URL, or undefined when `uiBase` is not an http(s) URL (with no query or fragment)
 * or an ID is not a plain ID (`[A-Za-z0-9_-]`, 1–128 characters): then show no link.
 */
export function astroDeploymentUrl(uiBase: string, workspaceId: string, deploymentId: string): string | undefined {
  if (!PLAIN_ID.test(workspaceId) || !PLAIN_ID.test(deploymentId)) return undefined;
  const base = uiBase.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password) return undefined;
  return `${base}/${workspaceId}/deployments/${deploymentId}`;
}
