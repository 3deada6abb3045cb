/**
 * The offboarding checklist in Block Kit: what to remove when someone leaves, in the order to do
 * it (hand over the Deployments they alone administer first), each line with what to do and a
 * link to the Astro page (a Deployment's own page; else the Astro UI with the documented
 * navigation as the link's words: https://www.astronomer.io/docs/astro/manage-organization-users,
 * https://www.astronomer.io/docs/astro/manage-teams). Private surfaces only (the answer to
 * `/astro-user offboard`, or a direct message to an admin). Pure; within Block Kit's message
 * limits (50 blocks, section text ≤ 3000, ~12,000 characters in all) whatever the person holds.
 */
import type { KnownBlock } from '@slack/types';
import type { AdminVia, OffboardData } from '../../app/offboard.js';
import type { RoleGrant, TokenFinding } from '../../app/report.js';
import type { AstroIndexedUser } from '../../lookup/user-index.js';
import { astroDeploymentUrl } from '../../core/ids.js';
import { roleLabel, slackDate, statusDisplay } from './format.js';
import { LIMITS, escapeAndTruncate, escapeMrkdwn, inlineCode, lengthOf, oneLine, truncate } from './limits.js';
import type { RenderedMessage } from './user-card.js';

/** Options of {@link renderOffboard}. */
export interface OffboardRenderOptions {
  /** Astro UI base, e.g. `https://cloud.astronomer.io` (links). */
  astroUiUrl: string;
  /** For a direct message: the Slack member whose deactivation caused it. */
  deactivatedSlackUser?: string;
}

/** Lines shown per group at most (fewer when the text would not fit). */
const GROUP_LINES = 8;
/** Text a message may carry in all, under the ~12,000 total. */
const TEXT_BUDGET = 10_500;
const SECTION_CHARS = 2900;
const NAME_CHARS = 60;

const link = (url: string | undefined, words: string) => (url ? `<${url}|${words}>` : words);
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function named(n: { id: string; name?: string } | undefined): string {
  if (!n) return '_unknown_';
  const name = n.name ? oneLine(n.name) : '';
  return name ? `*${escapeAndTruncate(name, NAME_CHARS)}*` : inlineCode(n.id, 40);
}

/** Where a role applies, and where it is removed. */
function roleLine(g: RoleGrant, ui: string): string {
  const role = escapeAndTruncate(roleLabel(g.role), 50);
  const t = g.target;
  switch (t.kind) {
    case 'organization':
      return g.role === 'ORGANIZATION_MEMBER' ? `${role} → goes when they are removed from the organization (last step)` : `${role} → set it to Organization Member (or remove them from the organization, last step)`;
    case 'workspace':
      return `${role} in ${named(t.workspace)} → remove it: ${link(ui, 'Workspace Settings → Access Management')} of that Workspace`;
    case 'deployment': {
      const url = t.workspaceId ? astroDeploymentUrl(ui, t.workspaceId, t.deployment.id) : undefined;
      return `${role} in ${named(t.deployment)} → remove it: ${link(url ?? ui, url ? 'Deployment → Access' : 'the Deployment → Access')}`;
    }
    case 'dag': {
      const url = t.workspaceId ? astroDeploymentUrl(ui, t.workspaceId, t.deployment.id) : undefined;
      const dag = t.dagId ? `DAG ${inlineCode(t.dagId, 60)}` : `DAGs tagged ${inlineCode(t.dagTag ?? '?', 60)}`;
      return `${role} on ${dag} in ${named(t.deployment)} → remove it: ${link(url ?? ui, url ? 'Deployment → Access' : 'the Deployment → Access')}`;
    }
  }
}

function viaWords(v: AdminVia): string {
  const role = escapeAndTruncate(roleLabel(v.role), 40);
  const what = v.scope === 'WORKSPACE' ? `${role} of its Workspace` : role;
  return v.team ? `${what} through the Team ${named(v.team)}` : what;
}

function tokenLine(t: TokenFinding, ui: string): string {
  let scope = 'Organization token';
  let page = link(ui, 'Organization Settings → Access Management → API Tokens');
  if (t.scope === 'WORKSPACE') {
    scope = `Workspace token of ${named(t.workspace)}`;
    page = link(ui, 'Workspace Settings → Access Management → API Tokens');
  } else if (t.scope === 'DEPLOYMENT') {
    const url = t.deployment?.workspaceId ? astroDeploymentUrl(ui, t.deployment.workspaceId, t.deployment.id) : undefined;
    scope = `Deployment token of ${named(t.deployment)}`;
    page = link(url ?? ui, url ? 'Deployment → Access → API Tokens' : 'the Deployment → Access → API Tokens');
  }
  const expiry = t.endAt ? `expires ${slackDate(t.endAt, '{date_short}')}` : 'never expires';
  const used = t.lastUsedAt ? `last used ${slackDate(t.lastUsedAt, '{date_short}')}` : 'never used';
  return `:key: ${named({ id: t.id, name: t.name })} (${scope}) · ${expiry} · ${used} → find what uses it, then rotate it or delete it: ${page}`;
}

/** One group of the checklist. */
interface Group {
  key: string;
  title: string;
  lines: string[];
  total: number;
  note?: string;
  /** Where the rest of a long list is seen in Astro (link and words). */
  more: string;
}

/**
 * The checklist. Deployments they alone administer come first (hand them over before removing
 * anything), then roles by scope, Teams (identity-provider Teams marked "remove in your identity
 * provider"), API tokens they created, and the last step.
 */
export function renderOffboard(data: OffboardData, options: OffboardRenderOptions): RenderedMessage {
  const ui = options.astroUiUrl;
  const u = data.user;
  const name = oneLine(u.fullName) || oneLine(u.username) || u.id;
  const status = statusDisplay(u.status);
  const byScope = (scope: RoleGrant['scope']) => data.roles.filter((r) => r.scope === scope);
  const usersPage = link(ui, 'Organization Settings → Access Management → Users');
  const groups: Group[] = [];
  if (data.soleAdmin.length > 0) {
    groups.push({
      key: 'sole',
      title: ':warning: *First: Deployments where they are the only admin*',
      note: `Admins counted: Deployment Admin, and the Workspace's Owners and Operators, directly or through a Team (<https://www.astronomer.io/docs/astro/user-permissions|Astro user permissions>). ${data.otherOrganizationOwners > 0 ? `The ${plural(data.otherOrganizationOwners, 'other Organization Owner')} can always step in.` : 'No other active Organization Owner could step in.'}`,
      lines: data.soleAdmin.map((s) => {
        const url = s.workspace ? astroDeploymentUrl(ui, s.workspace.id, s.deployment.id) : undefined;
        return `:rotating_light: ${named(s.deployment)}${s.workspace ? ` in ${named(s.workspace)}` : ''} (they are ${s.via.map(viaWords).join(', ')}) → give someone else Deployment Admin first: ${link(url ?? ui, url ? 'Deployment → Access' : 'the Deployment → Access')}`;
      }),
      total: data.soleAdmin.length,
      more: usersPage,
    });
  }
  const scopes: [RoleGrant['scope'], string][] = [
    ['ORGANIZATION', 'Organization role'],
    ['WORKSPACE', 'Workspace roles'],
    ['DEPLOYMENT', 'Deployment roles'],
    ['DAG', 'DAG roles'],
  ];
  for (const [scope, title] of scopes) {
    const roles = byScope(scope);
    if (roles.length === 0) continue;
    groups.push({ key: scope.toLowerCase(), title: `*${title}* (${roles.length})`, lines: roles.map((r) => `• ${roleLine(r, ui)}`), total: roles.length, more: usersPage });
  }
  if (data.teams.length > 0) {
    const idp = data.teams.filter((t) => t.idpManaged).length;
    groups.push({
      key: 'teams',
      title: `*Teams* (${data.teams.length}${idp > 0 ? `, ${idp} managed by your identity provider` : ''})`,
      lines: data.teams.map((t) =>
        t.idpManaged
          ? `:busts_in_silhouette: ${named(t)} (${plural(t.grants, 'role')}) · *managed by your identity provider* → remove them in your identity provider (Astro follows it)`
          : `:busts_in_silhouette: ${named(t)} (${plural(t.grants, 'role')}) → remove them from the Team: ${link(ui, 'Organization Settings → Access Management → Teams')}`,
      ),
      total: data.teams.length,
      more: link(ui, 'Organization Settings → Access Management → Teams'),
    });
  }
  if (data.tokens && data.tokens.total > 0) {
    groups.push({
      key: 'tokens',
      title: `*API tokens they created* (${data.tokens.total})`,
      lines: data.tokens.items.map((t) => tokenLine(t, ui)),
      total: data.tokens.total,
      more: link(ui, 'Organization Settings → Access Management → API Tokens'),
    });
  }

  const head: KnownBlock[] = [
    { type: 'header', block_id: 'off:title', text: { type: 'plain_text', text: truncate(`Offboarding: ${name}`, LIMITS.headerText) } },
    {
      type: 'context',
      block_id: 'off:about',
      elements: [
        {
          type: 'mrkdwn',
          text: truncate(
            `${escapeAndTruncate(oneLine(u.username), 120)} · ${status.emoji} ${escapeAndTruncate(status.word, 20)} · Astro user ${inlineCode(u.id, 40)} · organization ${inlineCode(data.organizationId, 64)} · as of ${slackDate(data.asOf, '{date_short_pretty} at {time}')} · visible only to you`,
            LIMITS.contextText,
          ),
        },
      ],
    },
  ];
  if (options.deactivatedSlackUser && /^[UW][A-Z0-9]{2,30}$/.test(options.deactivatedSlackUser)) {
    head.push({
      type: 'section',
      block_id: 'off:why',
      text: { type: 'mrkdwn', text: `:wave: <@${options.deactivatedSlackUser}> was deactivated in Slack, and the email of their Slack profile is this Astro user's. Here is what to remove in Astro.` },
    });
  }
  const counts = [
    data.roles.length > 0 ? plural(data.roles.length, 'role') : 'no roles',
    data.teams.length > 0 ? plural(data.teams.length, 'Team') : 'no Teams',
    data.tokens ? (data.tokens.total > 0 ? `${plural(data.tokens.total, 'API token')} they created` : 'no API tokens they created') : undefined,
    data.soleAdmin.length > 0 ? `:warning: ${plural(data.soleAdmin.length, 'Deployment')} only they administer` : 'no Deployment only they administer',
  ].filter(Boolean);
  head.push({ type: 'section', block_id: 'off:summary', text: { type: 'mrkdwn', text: `*To remove:* ${counts.join(' · ')}` } });
  data.gaps.forEach((g, i) => {
    const what = g.source === 'tokens' ? 'API tokens they created were not checked' : g.source === 'teams' ? 'Teams were not read (their Teams, and admins through Teams, are missing)' : 'Names of Workspaces and Deployments were not read (IDs are shown; Deployments of their Workspaces may be missed)';
    const why = g.kind === 'forbidden' ? `a token with the *${escapeAndTruncate(g.role, 60)}* role enables it (\`${escapeAndTruncate(g.permission, 60)}\`)` : `Astro did not answer (${escapeAndTruncate(g.kind.replace(/_/g, ' '), 30)})`;
    head.push({ type: 'section', block_id: `off:gap:${i}`, text: { type: 'mrkdwn', text: truncate(`:lock: ${what}: ${why}.`, SECTION_CHARS) } });
  });
  const last: KnownBlock = {
    type: 'section',
    block_id: 'off:last',
    text: { type: 'mrkdwn', text: `*Last:* remove them from the organization: ${usersPage}${data.teamsIncomplete > 0 ? ` _(the members of ${plural(data.teamsIncomplete, 'Team')} could not all be read)_` : ''}` },
  };

  // Fewer lines per group until the text fits.
  const fixed = [...head, last].reduce((n, b) => n + lengthOf(JSON.stringify(b)), 0);
  let sections: KnownBlock[] = [];
  for (let max = GROUP_LINES; max >= 0; max -= 1) {
    sections = groups.map((g) => {
      const shown = g.lines.slice(0, max);
      const more = g.total - shown.length;
      const text = [g.title, g.note ? `_${g.note}_` : '', ...shown, more > 0 ? `_…and ${more.toLocaleString('en-US')} more: see ${g.more}_` : '']
        .filter(Boolean)
        .join('\n');
      return { type: 'section', block_id: `off:${g.key}`, text: { type: 'mrkdwn', text: truncate(text, SECTION_CHARS) } };
    });
    const chars = fixed + sections.reduce((n, b) => n + lengthOf((b as { text: { text: string } }).text.text), 0);
    if (chars <= TEXT_BUDGET) break;
  }
  const blocks = [...head, ...(sections.length > 0 ? [{ type: 'divider' as const, block_id: 'off:div' }, ...sections] : []), last].slice(0, LIMITS.messageBlocks);
  const text = truncate(`Offboarding ${escapeMrkdwn(name)}: ${counts.join(', ').replace(/:[a-z_]+:\s*/g, '')}`, LIMITS.fallbackText);
  return { text, blocks };
}

/** Several people match the name given: offboarding needs one; list them with their IDs. */
export function offboardChooseMessage(candidates: AstroIndexedUser[], text: string, command = '/astro-user'): RenderedMessage {
  const shown = candidates.slice(0, 10);
  const count = candidates.length > shown.length ? `More than ${shown.length}` : String(shown.length);
  const lines = shown.map((u) => `• *${escapeAndTruncate(oneLine(u.fullName) || oneLine(u.username) || u.id, NAME_CHARS)}* · ${escapeAndTruncate(oneLine(u.username), 120)} · \`${command} offboard ${u.id}\``);
  return {
    text: truncate(`${count} Astro users match "${escapeMrkdwn(oneLine(text))}": give an email or user ID.`, 300),
    blocks: [
      { type: 'section', block_id: 'off:choose', text: { type: 'mrkdwn', text: truncate(`*${count} Astro users match* ${inlineCode(text, 60)}. Offboarding needs one person: run it again with an email or a user ID.\n${lines.join('\n')}`, SECTION_CHARS) } },
    ],
  };
}

/** Usage of `offboard`. */
export function offboardHelpMessage(command = '/astro-user'): RenderedMessage {
  return {
    text: `Offboarding checklist: ${command} offboard <email, @person or user ID>`,
    blocks: [
      {
        type: 'section',
        block_id: 'off:help',
        text: {
          type: 'mrkdwn',
          text: `*What to remove when someone leaves* (admins only): \`${command} offboard jane@example.com\`, \`${command} offboard @jane\` or \`${command} offboard <Astro user ID>\` lists their roles by scope, their Teams, the API tokens they created, and the Deployments only they administer, privately.`,
        },
      },
    ],
  };
}

/** The private refusal for someone who is not an admin. */
export const offboardNotAdminMessage: RenderedMessage = {
  text: 'Only Slack workspace admins can see offboarding checklists.',
  blocks: [
    {
      type: 'section',
      block_id: 'off:refused',
      text: { type: 'mrkdwn', text: ':lock: Only Slack workspace admins and owners (or the people the operator named in `ADMIN_USER_IDS`) can see offboarding checklists. Nothing was read from Astro.' },
    },
  ],
};

/** Shown at once while the checklist is built. */
export const buildingChecklistMessage: RenderedMessage = {
  text: 'Building the checklist…',
  blocks: [{ type: 'section', block_id: 'off:building', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Building the checklist… (reading the organization\'s users, API tokens and Teams can take a few seconds)' } }],
};
