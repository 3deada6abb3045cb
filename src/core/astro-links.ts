/**
 * Astro UI links: what a pasted link to a Deployment or Workspace page points at. Pages look like
 * `${uiBase}/${workspaceId}/deployments/${deploymentId}/…` (astro-cli `GetDeploymentURL`,
 * https://github.com/astronomer/astro-cli) and `${uiBase}/${workspaceId}/…` for a Workspace's pages
 * (its Deployments list, settings, access). Pure; never throws.
 */

/** A plain ID as Astro's UI puts it in a path (`[A-Za-z0-9_-]`, 1–128 characters). */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Top-level UI paths that are not Workspace IDs (organization pages). */
const NOT_A_WORKSPACE = new Set(['settings', 'organization', 'organizations', 'login', 'logout', 'signup', 'invite', 'invites', 'profile', 'user', 'users', 'billing', 'dashboard', 'api', 'docs', 'deployments', 'workspaces']);

/** What an Astro UI link points at, or why it cannot be used. */
export type AstroLink =
  | { kind: 'deployment'; workspaceId: string; deploymentId: string }
  | { kind: 'workspace'; workspaceId: string }
  /** Not an http(s) link to the configured Astro UI host: nothing is asked of Astro. */
  | { kind: 'other_host'; host: string }
  /** The Astro UI, but not a Deployment or Workspace page (the organization's settings, the home page). */
  | { kind: 'other_page' };

/** Longest link examined, in characters. */
const MAX_LINK = 2000;

/**
 * Reads an Astro UI link.
 * @param link The URL as pasted (Slack's `<…|label>` wrapping already removed).
 * @param uiBase The configured Astro UI base (`ASTRO_UI_URL`), e.g. `https://cloud.astronomer.io`;
 * a path in it (a proxy prefix) must prefix the link's path.
 * @returns Where it points; `other_host` for any link whose scheme, host or port differ from
 * `uiBase` (and for text that is not a URL at all).
 */
export function parseAstroLink(link: string, uiBase: string): AstroLink {
  let url: URL;
  let base: URL;
  try {
    if (link.length > MAX_LINK) throw new Error('too long');
    url = new URL(link);
    base = new URL(uiBase);
  } catch {
    return { kind: 'other_host', host: '' };
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.protocol !== base.protocol || url.host.toLowerCase() !== base.host.toLowerCase() || url.username || url.password) {
    return { kind: 'other_host', host: url.host.slice(0, 253) };
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  if (prefix && !(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) return { kind: 'other_page' };
  const parts = url.pathname.slice(prefix.length).split('/').filter(Boolean);
  const [first, second, third] = parts;
  if (!first || !PLAIN_ID.test(first) || NOT_A_WORKSPACE.has(first.toLowerCase())) return { kind: 'other_page' };
  if (second === 'deployments' && third && PLAIN_ID.test(third)) return { kind: 'deployment', workspaceId: first, deploymentId: third };
  return { kind: 'workspace', workspaceId: first };
}

/** The host (and port) of a UI base such as `https://cloud.astronomer.io`, or undefined when it is not a URL. */
export function uiHost(uiBase: string): string | undefined {
  try {
    return new URL(uiBase).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The first link in Slack message text (`<https://…|label>` or `<https://…>`, as Slack escapes
 * links: https://docs.slack.dev/messaging/formatting-message-text) that points at a Deployment or
 * Workspace page of the Astro UI at `uiBase`; undefined when there is none. Linear in the text.
 */
export function findAstroLink(text: string, uiBase: string): string | undefined {
  const re = /<(https?:\/\/[^|>\s]{1,2000})(?:\|[^>]{0,2000})?>/g;
  let seen = 0;
  for (const m of text.matchAll(re)) {
    if (seen++ >= 20) break;
    const url = m[1]!.replace(/&amp;/g, '&');
    const link = parseAstroLink(url, uiBase);
    if (link.kind === 'deployment' || link.kind === 'workspace') return url;
  }
  return undefined;
}
