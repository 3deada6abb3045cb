/** parseAstroLink: which Deployment or Workspace an Astro UI link points at, and which links are refused. */
import { describe, expect, it } from 'vitest';
import { parseAstroLink } from '../../src/core/astro-links.js';

const UI = 'https://cloud.astronomer.io';
const WS = 'clx1ws00000001abcdefghijk';
const DEP = 'clx1dep0000001abcdefghijk';

describe('parseAstroLink', () => {
  it('reads Deployment pages, with or without a sub-page, query or fragment', () => {
    for (const link of [`${UI}/${WS}/deployments/${DEP}`, `${UI}/${WS}/deployments/${DEP}/overview?tab=1#x`, `https://CLOUD.astronomer.io/${WS}/deployments/${DEP}/`]) {
      expect(parseAstroLink(link, UI)).toEqual({ kind: 'deployment', workspaceId: WS, deploymentId: DEP });
    }
  });

  it('reads Workspace pages', () => {
    expect(parseAstroLink(`${UI}/${WS}/deployments`, UI)).toEqual({ kind: 'workspace', workspaceId: WS });
    expect(parseAstroLink(`${UI}/${WS}/settings/access`, UI)).toEqual({ kind: 'workspace', workspaceId: WS });
  });

  it('refuses other hosts, schemes, ports and credentials in the link', () => {
    for (const link of [`https://evil.example/${WS}/deployments/${DEP}`, `http://cloud.astronomer.io/${WS}`, `https://cloud.astronomer.io:8443/${WS}`, `https://a:b@cloud.astronomer.io/${WS}`, 'javascript:alert(1)', 'not a url', `${UI}.evil.example/${WS}`]) {
      expect(parseAstroLink(link, UI).kind).toBe('other_host');
    }
  });

  it('says other_page for the organization pages and IDs that are not plain', () => {
    for (const link of [`${UI}/`, `${UI}/settings`, `${UI}/organization/users`, `${UI}/%2e%2e/deployments/x`]) expect(parseAstroLink(link, UI).kind).toBe('other_page');
  });

  it('honours a path prefix in the configured UI base', () => {
    expect(parseAstroLink(`https://proxy.example/astro/${WS}`, 'https://proxy.example/astro/')).toEqual({ kind: 'workspace', workspaceId: WS });
    expect(parseAstroLink(`https://proxy.example/other/${WS}`, 'https://proxy.example/astro')).toEqual({ kind: 'other_page' });
  });
});
