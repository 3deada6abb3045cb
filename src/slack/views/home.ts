/**
 * The App Home tab: a lookup form, the result card (Home views hold 100 blocks, so longer role
 * lists fit than in a message), the viewer's recent lookups and short help. Pure.
 *
 * Source: https://docs.slack.dev/reference/views/home-tab-views (≤100 blocks, private_metadata
 * ≤3000 chars, callback_id ≤255).
 */
import type { HomeView, KnownBlock } from '@slack/types';
import type { AstroUser } from '../../astro/schemas.js';
import type { RecentLookup } from '../../lookup/recent.js';
import type { TeamRoles } from '../../lookup/lookup.js';
import type { ResolvedNames } from '../../lookup/names.js';
import { capabilityLines } from './capabilities.js';
import { firstDeploymentUrl } from './cards.js';
import { slackDate } from './format.js';
import { LIMITS, escapeAndTruncate, inlineCode, oneLine } from './limits.js';
import { EXAMPLE_USER_ID } from './messages.js';
import { renderUserCard, type RenderedMessage } from './user-card.js';

/** `action_id`s and `block_id`s of the Home view. */
export const HOME = {
  callbackId: 'astro_user_home',
  queryBlock: 'home_query',
  queryAction: 'home_query_input',
  lookupAction: 'home_lookup',
  recentAction: 'home_recent',
  accessBlock: 'home_access',
  accessInputAction: 'home_access_input',
  accessAction: 'home_access_lookup',
  configureAction: 'admin_configure',
  disconnectAction: 'admin_disconnect',
} as const;

/** The admin section: connection, token scope and expiry, last success, last error, what the token cannot reach, buttons. */
function adminBlocks(a: AdminPanel): KnownBlock[] {
  const lines: string[] = [];
  const c = a.connection;
  if (a.unreadable) {
    lines.push(':warning: The saved connection cannot be read (storage unavailable, or the encryption key changed). Configure it again.');
  } else if (c) {
    lines.push(`:large_green_circle: Connected to organization ${inlineCode(c.organizationId, 64)} with a ${escapeAndTruncate(c.scope.toLowerCase(), 20)} API token ${inlineCode(c.tokenHint, 10)}, saved by <@${/^[UW][A-Z0-9]+$/.test(c.savedBy) ? c.savedBy : 'unknown'}> ${slackDate(c.savedAt, '{date_short_pretty}')}.`);
    if (c.expiresAt === undefined) lines.push('The token does not expire.');
    else {
      const days = Math.floor((c.expiresAt - a.now) / 86_400_000);
      lines.push(
        days < EXPIRY_WARNING_DAYS
          ? `:warning: *The token expires ${slackDate(c.expiresAt, '{date_short_pretty}')}* (${Math.max(0, days)} days): create a new one in Astro and Configure it here.`
          : `The token expires ${slackDate(c.expiresAt, '{date_short}')}.`,
      );
    }
  } else if (a.usingDefaults) {
    lines.push(':large_blue_circle: Using the Astro token set by the person who runs astro-user. Configure to use this workspace\'s own.');
  } else {
    lines.push(':white_circle: *Not connected yet.* Configure to connect this workspace to Astro: until then, lookups here answer "not configured".');
  }
  const h = a.health;
  lines.push(`Last successful call: ${h.lastSuccessAt ? slackDate(h.lastSuccessAt, '{date_short_pretty} at {time}') : 'none yet'}.`);
  if (h.lastError) {
    lines.push(
      `Last error: ${escapeAndTruncate(h.lastError.kind.replace(/_/g, ' '), 40)} ${slackDate(h.lastError.at, '{date_short_pretty} at {time}')}${h.lastError.requestId ? ` (Astro request ID ${inlineCode(h.lastError.requestId, 128)})` : ''}.`,
    );
  }
  if (a.capabilities) lines.push(...capabilityLines(a.capabilities));
  const buttons: KnownBlock = {
    type: 'actions',
    block_id: 'home:admin:actions',
    elements: [
      { type: 'button', action_id: HOME.configureAction, text: { type: 'plain_text', text: 'Configure' }, value: 'configure' },
      ...(c
        ? [
            {
              type: 'button' as const,
              action_id: HOME.disconnectAction,
              style: 'danger' as const,
              text: { type: 'plain_text' as const, text: 'Disconnect' },
              value: 'disconnect',
              confirm: {
                title: { type: 'plain_text' as const, text: 'Disconnect Astro?' },
                text: { type: 'plain_text' as const, text: "This deletes this workspace's Astro token and cached answers. Lookups stop until an admin connects again." },
                confirm: { type: 'plain_text' as const, text: 'Disconnect' },
                deny: { type: 'plain_text' as const, text: 'Cancel' },
              },
            },
          ]
        : []),
    ],
  };
  return [
    { type: 'divider', block_id: 'home:admin:div' },
    { type: 'section', block_id: 'home:admin', text: { type: 'mrkdwn', text: `*Astro connection* (only admins see this)\n${lines.join('\n')}` } },
    buttons,
  ];
}

import type { AccessResult } from '../../lookup/access.js';
import { renderAccess, subjectValue } from './access.js';
export type { AdminPanel } from '../../app/home.js';
import type { AdminPanel } from '../../app/home.js';

/** Days before expiry from which the token's expiry is shown as a warning. */
export const EXPIRY_WARNING_DAYS = 14;

/** What the Home view shows. */
export interface HomeState {
  /** Shown to admins only: the connection's health and the Configure / Disconnect buttons. */
  admin?: AdminPanel;
  /** The card to show, with when Astro answered (ms since the epoch), and names and Teams roles when known. */
  result?: { user: AstroUser; fetchedAt: number; names?: ResolvedNames; teams?: TeamRoles };
  /** An error or notice to show instead of a card. */
  notice?: RenderedMessage;
  /** "Who can access…": the answer to show instead of a card, with now (ms since the epoch). */
  access?: { result: AccessResult; now: number };
  /** The viewer's recent lookups, newest first. */
  recent: RecentLookup[];
  /** Astro UI base for Open in Astro. */
  astroUiUrl: string;
}

/** Recent lookups shown, at most. */
const MAX_RECENT_SHOWN = 10;

/** Parses the Home view's `private_metadata`: the Astro user ID on show, if any. */
export function shownUserId(privateMetadata: string | undefined): string | undefined {
  try {
    const meta = JSON.parse(privateMetadata ?? '') as { u?: unknown };
    return typeof meta.u === 'string' && /^c[0-9a-z]{24}$/.test(meta.u) ? meta.u : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Renders the Home view.
 * @returns a `home` view within Block Kit limits (≤100 blocks), with `private_metadata`
 *   `{"u": <shown user ID>}` so that Refresh and re-publishing know what is on show.
 */
export function renderHome(state: HomeState): HomeView {
  const top: KnownBlock[] = [
    { type: 'header', block_id: 'home:title', text: { type: 'plain_text', text: 'Look up an Astro user' } },
    {
      type: 'input',
      block_id: HOME.queryBlock,
      dispatch_action: true,
      label: { type: 'plain_text', text: 'Astro user ID, email, <@person> or name' },
      hint: { type: 'plain_text', text: 'Press Enter or click Look up. The card is visible only to you.' },
      element: {
        type: 'plain_text_input',
        action_id: HOME.queryAction,
        placeholder: { type: 'plain_text', text: `e.g. ${EXAMPLE_USER_ID}, jane@example.com or Jane` },
        max_length: 200,
        dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] },
      },
    },
    {
      type: 'actions',
      block_id: 'home:lookup',
      elements: [{ type: 'button', action_id: HOME.lookupAction, style: 'primary', text: { type: 'plain_text', text: 'Look up' }, value: 'lookup' }],
    },
    {
      type: 'input',
      block_id: HOME.accessBlock,
      dispatch_action: true,
      label: { type: 'plain_text', text: 'Who can access… (a Deployment or Workspace)' },
      hint: { type: 'plain_text', text: 'Its name, ID or Astro link. The list is visible only to you.' },
      element: {
        type: 'plain_text_input',
        action_id: HOME.accessInputAction,
        placeholder: { type: 'plain_text', text: 'e.g. etl-prod, or https://cloud.astronomer.io/…/deployments/…' },
        max_length: 500,
        dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] },
      },
    },
    {
      type: 'actions',
      block_id: 'home:access',
      elements: [{ type: 'button', action_id: HOME.accessAction, text: { type: 'plain_text', text: 'Who can access' }, value: 'access' }],
    },
  ];

  const recent = state.recent.slice(0, MAX_RECENT_SHOWN);
  const bottom: KnownBlock[] = [{ type: 'divider', block_id: 'home:div2' }];
  if (state.admin) bottom.unshift(...adminBlocks(state.admin));
  if (recent.length > 0) {
    bottom.push({ type: 'section', block_id: 'home:recent', text: { type: 'mrkdwn', text: '*Your recent lookups*' } });
    recent.forEach((r, i) => {
      bottom.push({
        type: 'section',
        block_id: `home:recent:${i}`,
        text: { type: 'mrkdwn', text: `*${escapeAndTruncate(oneLine(r.label) || r.userId, 120)}* · ${inlineCode(r.userId, 30)} · ${slackDate(r.at, '{date_short_pretty} at {time}')}` },
        accessory: { type: 'button', action_id: `${HOME.recentAction}:${i}`, text: { type: 'plain_text', text: 'Open' }, value: r.userId },
      });
    });
  }
  bottom.push({
    type: 'context',
    block_id: 'home:help',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Find a user ID in Astro under *Organization Settings → Access Management → Users*, or with `astro organization user list`. In any channel, `/astro-user` with an ID, email, @person or name answers privately, and mentioning me with IDs, emails or people answers in the thread.',
      },
    ],
  });

  const middle: KnownBlock[] = [];
  let metadata = {};
  if (state.result) {
    const budget = LIMITS.viewBlocks - top.length - bottom.length - 1;
    const card = renderUserCard(state.result.user, {
      surface: 'home',
      fetchedAt: state.result.fetchedAt,
      blockIdPrefix: 'home:card',
      maxBlocks: budget,
      astroUiUrl: state.astroUiUrl,
      ...(state.result.names ? { names: state.result.names } : {}),
      ...(state.result.teams ? { teams: state.result.teams } : {}),
      actions: { refresh: true, openUrl: (state.result.names && firstDeploymentUrl(state.result.user, state.result.names, state.astroUiUrl)) || state.astroUiUrl, explain: true },
    });
    middle.push({ type: 'divider', block_id: 'home:div1' }, ...card.blocks);
    metadata = { u: state.result.user.id };
  } else if (state.access) {
    const budget = LIMITS.viewBlocks - top.length - bottom.length - 1;
    const { result } = state.access;
    const list = renderAccess(result, { surface: 'home', kind: 'private', astroUiUrl: state.astroUiUrl, now: state.access.now, refValue: subjectValue(result.subject), maxBlocks: budget });
    middle.push({ type: 'divider', block_id: 'home:div1' }, ...list.blocks);
    metadata = { a: subjectValue(result.subject) };
  } else if (state.notice) {
    middle.push({ type: 'divider', block_id: 'home:div1' }, ...state.notice.blocks);
  }

  return {
    type: 'home',
    callback_id: HOME.callbackId,
    private_metadata: JSON.stringify(metadata),
    blocks: [...top, ...middle, ...bottom],
  };
}
