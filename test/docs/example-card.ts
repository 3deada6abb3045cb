/**
 * The example card shown in README.md: exactly what `/astro-user` posts for the ADA fixture (its
 * Astro answer is shown in README too), with names resolved and one Team, at a fixed time.
 */
import { createCardRefs } from '../../src/app/cards.js';
import { AstroUserSchema } from '../../src/astro/schemas.js';
import { renderCards } from '../../src/slack/views/cards.js';
import { verbatim } from '../../src/slack/views/verbatim.js';
import { ADA } from '../support/fixtures.js';

/** 2026-06-01T12:00:00Z, the "as of" time of the README example. */
export const EXAMPLE_FETCHED_AT = Date.UTC(2026, 5, 1, 12, 0, 0);

/** The names Astro's ListWorkspaces and ListDeployments give for ADA's roles. */
export const EXAMPLE_NAMES = {
  workspaces: new Map([
    ['clx1ws00000001abcdefghijk', { name: 'Data Platform' }],
    ['clx1ws00000002abcdefghijk', { name: 'Analytics' }],
  ]),
  deployments: new Map([
    ['clx1dep0000001abcdefghijk', { name: 'revenue-prod', workspaceId: 'clx1ws00000001abcdefghijk' }],
    ['clx1dep0000002abcdefghijk', { name: 'analytics-dev', workspaceId: 'clx1ws00000002abcdefghijk' }],
  ]),
  failed: false,
};

/** `{ text, blocks }` of the README example card, as posted to the `response_url`. */
export function exampleCard(): { text: string; blocks: unknown[] } {
  const teams = {
    teams: [
      {
        id: 'clteam0000000000000000001',
        name: 'Data Engineers',
        isIdpManaged: true,
        workspaceRoles: [{ workspaceId: 'clx1ws00000002abcdefghijk', role: 'WORKSPACE_OPERATOR' }],
        deploymentRoles: [],
        dagRoles: [],
        unreadableRoles: 0,
      },
    ],
  };
  const m = renderCards('private', [{ userId: ADA.id, user: AstroUserSchema.parse(ADA), fetchedAt: EXAMPLE_FETCHED_AT, names: EXAMPLE_NAMES, teams }], {
    audience: '#ops',
    astroUiUrl: 'https://cloud.astronomer.io',
    valueOf: (ref) => createCardRefs('example').encode(ref, 'T.T0001'),
  });
  // As sent: every mrkdwn text verbatim (src/slack/reply.ts).
  return { text: m.text, blocks: verbatim(m.blocks) };
}

/** A link that opens `payload`'s blocks in Slack's Block Kit Builder. */
export function blockKitBuilderUrl(payload: { blocks: unknown[] }): string {
  return `https://app.slack.com/block-kit-builder#${encodeURIComponent(JSON.stringify({ blocks: payload.blocks }))}`;
}
