/**
 * The user card: one pure renderer, (AstroUser, options) → Block Kit, serving the command reply,
 * the App Home tab and thread replies. Does no I/O.
 *
 * Presentation: header with the full name; username (email) and status
 * with a symbol; organization role; workspace, deployment and DAG roles labelled by scope; dates
 * with `<!date^…>`; avatar only when it is an https URL; an "as of" note; every API string escaped;
 * long lists summarised ("…and 37 more") so the output always stays within Block Kit limits.
 */
import type { Button, KnownBlock, SectionBlock } from '@slack/types';
import type { AstroUser, DagRole } from '../../astro/schemas.js';
import type { TeamRoles } from '../../lookup/lookup.js';
import type { ResolvedNames } from '../../lookup/names.js';
import { FEATURE_NEEDS } from '../../core/capabilities.js';
import { astroDeploymentUrl } from '../../core/ids.js';
import { httpsImageUrl, roleLabel, slackDate, statusDisplay } from './format.js';
import { LIMITS, escapeAndTruncate, inlineCode, lengthOf, oneLine, truncate } from './limits.js';
import { explainRolesButton, rolesOf } from './explain-button.js';

/** Where a card is shown; decides its size. */
export type CardSurface = 'message' | 'home' | 'thread';

/** Options of {@link renderUserCard}. */
export interface UserCardOptions {
  surface: CardSurface;
  /** When Astro answered, in ms since the epoch: the "as of" note. */
  fetchedAt: number;
  /** Slack user ID of who asked (thread cards say who asked). Ignored unless it looks like one. */
  askedBy?: string;
  /** Prefix for `block_id`s, so several cards can share one message or view. */
  blockIdPrefix?: string;
  /** Slack user ID of who shared the card to the channel (the shared card says so). */
  sharedBy?: string;
  /** Most blocks the card may use. Default: 46 for a message, 40 for Home, 12 for a thread. */
  maxBlocks?: number;
  /** Characters the role lists may use in all; default per surface (8500, 20000, 2400). */
  roleCharBudget?: number;
  /** Buttons under the card; none when absent. */
  actions?: CardActions;
  /** Workspace and deployment names: the card then groups roles by workspace, in names. */
  names?: ResolvedNames;
  /** Roles through Astro Teams, or why they are not shown. */
  teams?: TeamRoles;
  /** Astro UI base, to link each deployment to its page. */
  astroUiUrl?: string;
  /** Show Astro IDs next to names (App Home shows them; messages only where a name is unknown). */
  showIds?: boolean;
}

/** The buttons a card carries. Each button's `value` is the Astro user ID. */
export interface CardActions {
  /** A Refresh button (`card_refresh`): bypasses the cache and replaces the card in place. */
  refresh?: boolean;
  /**
   * A Share to channel button (`card_share`) with Slack's confirm dialog naming who will see it,
   * e.g. `#ops` or `this conversation` (plain text, from the payload's channel name).
   */
  shareAudience?: string;
  /** An Open in Astro link button (`card_open`), to this https URL. */
  openUrl?: string;
  /** Appended to each `action_id` (`card_refresh:2`) when several cards share one message. */
  idSuffix?: string;
  /** `value` of each button (≤2000 chars); the Astro user ID by default. */
  value?: string;
  /**
   * A "What can they do?" button (`explain_roles`) listing the user's roles, direct and via
   * Teams; its value is the roles themselves (src/slack/views/explain-roles.ts), not `value`.
   */
  explain?: boolean;
}

/** `action_id`s of card buttons (a `:n` suffix may follow). */
export const CARD_ACTION = { refresh: 'card_refresh', share: 'card_share', open: 'card_open' } as const;

/** A rendered message: blocks plus the plain `text` fallback for notifications and screen readers. */
export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Characters the role lists may use in all, per surface (the message total cap is ~12k). */
const ROLE_CHAR_BUDGET: Record<CardSurface, number> = { message: 8500, home: 20_000, thread: 2400 };
const DEFAULT_MAX_BLOCKS: Record<CardSurface, number> = { message: 46, home: 40, thread: 12 };
/** Room for the "…and N more" line. */
const MORE_LINE_RESERVE = 60;
/** Section text chunk, a margin under the 3000-char limit. */
const SECTION_CHUNK = 2900;

/** A Slack user ID as it may appear in `<@…>`. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;

/** A titled list of role lines, one scope. */
interface RoleGroup {
  key: string;
  title: string;
  lines: string[];
  noun: string;
  /** Roles left out before drawing (see {@link MIN_ROLE_LINE_CHARS}), counted in "…and N more". */
  hidden?: number;
}

/**
 * Characters of the shortest role line: a card's role budget (in characters) divided by this is
 * the most lines of one kind it could ever show, so only that many roles of each kind are
 * formatted. A user with tens of thousands of roles is then drawn in a few ms instead of seconds
 * (the event loop stays free); the rest are counted in "…and N more".
 */
const MIN_ROLE_LINE_CHARS = 20;

function workspaceLines(user: AstroUser): string[] {
  return user.workspaceRoles.map((r) => `• *${escapeAndTruncate(roleLabel(r.role), 80)}* · workspace ${inlineCode(r.workspaceId, 64)}`);
}

function deploymentLines(user: AstroUser): string[] {
  return user.deploymentRoles.map(
    (r) => `• *${escapeAndTruncate(roleLabel(r.role), 80)}* · deployment ${inlineCode(r.deploymentId, 64)}`,
  );
}

function dagLines(user: AstroUser): string[] {
  return user.dagRoles.map((r) => {
    const on = r.dagId
      ? `DAG ${inlineCode(r.dagId, 100)}${r.dagTag ? ` · tag ${inlineCode(r.dagTag, 100)}` : ''}`
      : r.dagTag
        ? `DAGs tagged ${inlineCode(r.dagTag, 100)}`
        : 'DAGs (no DAG ID or tag given)';
    return `• *${escapeAndTruncate(roleLabel(r.role), 80)}* · ${on} · deployment ${inlineCode(r.deploymentId, 64)}`;
  });
}

/** A DAG role's target in words: a DAG ID, a tag, both or neither. */
function dagTarget(r: DagRole): string {
  return r.dagId
    ? `DAG ${inlineCode(r.dagId, 100)}${r.dagTag ? ` · tag ${inlineCode(r.dagTag, 100)}` : ''}`
    : r.dagTag
      ? `DAGs tagged ${inlineCode(r.dagTag, 100)}`
      : 'DAGs (no DAG ID or tag given)';
}

/**
 * Role lines grouped by workspace, in names: each workspace with its role, then its deployments
 * (linked to their Astro UI page) with their roles, then DAG roles under their deployment. An ID
 * that did not resolve is shown as the ID, marked. Deployments whose workspace is unknown come
 * last. Returns the lines and how many role entries they hold.
 */
function groupedLines(user: AstroUser, names: ResolvedNames, uiBase: string | undefined, showIds: boolean): string[] {
  const wsName = (id: string) => {
    const n = names.workspaces.get(id);
    return n ? `*${escapeAndTruncate(oneLine(n.name) || id, 80)}*${showIds ? ` ${inlineCode(id, 40)}` : ''}` : `${inlineCode(id, 40)} _(name unavailable)_`;
  };
  const depLabel = (id: string) => {
    const n = names.deployments.get(id);
    if (!n) return `${inlineCode(id, 40)} _(name unavailable)_`;
    const label = escapeAndTruncate(oneLine(n.name).replace(/[|]/g, '¦') || id, 80);
    const url = uiBase ? astroDeploymentUrl(uiBase, n.workspaceId, id) : undefined;
    return `${url ? `<${url}|${label}>` : `*${label}*`}${showIds ? ` ${inlineCode(id, 40)}` : ''}`;
  };
  const deploymentsOf = new Map<string, string[]>(); // workspace ID ('' when unknown) → deployment IDs
  const depIds = [...new Set([...user.deploymentRoles.map((r) => r.deploymentId), ...user.dagRoles.map((r) => r.deploymentId)])];
  for (const d of depIds) {
    const ws = names.deployments.get(d)?.workspaceId ?? '';
    deploymentsOf.set(ws, [...(deploymentsOf.get(ws) ?? []), d]);
  }
  const wsIds = [...new Set([...user.workspaceRoles.map((r) => r.workspaceId), ...[...deploymentsOf.keys()].filter(Boolean)])];
  const lines: string[] = [];
  const depLines = (d: string, indent: string) => {
    const roles = user.deploymentRoles.filter((r) => r.deploymentId === d).map((r) => `*${escapeAndTruncate(roleLabel(r.role), 60)}*`);
    lines.push(`${indent}• ${depLabel(d)} · ${roles.length > 0 ? roles.join(', ') : '_no deployment role_'}`);
    for (const r of user.dagRoles.filter((x) => x.deploymentId === d)) {
      lines.push(`${indent}    ◦ *${escapeAndTruncate(roleLabel(r.role), 60)}* · ${dagTarget(r)}`);
    }
  };
  for (const ws of wsIds) {
    const roles = user.workspaceRoles.filter((r) => r.workspaceId === ws).map((r) => escapeAndTruncate(roleLabel(r.role), 60));
    lines.push(`:file_folder: ${wsName(ws)} · ${roles.length > 0 ? roles.join(', ') : '_no workspace role_'}`);
    for (const d of deploymentsOf.get(ws) ?? []) depLines(d, '');
  }
  const orphans = deploymentsOf.get('') ?? [];
  if (orphans.length > 0) {
    lines.push(`:grey_question: *Deployments in a workspace not shown*`);
    for (const d of orphans) depLines(d, '');
  }
  return lines;
}

/** The Teams section's lines: each team with its roles, in names where known. */
function teamLines(teams: TeamRoles, names: ResolvedNames | undefined): { lines: string[]; note?: string } {
  if ('unavailable' in teams) {
    return {
      lines: [],
      note:
        teams.unavailable === 'unsupported'
          ? 'Roles via Teams are not shown (this Astro API version has no Teams endpoint).'
          : teams.unavailable === 'denied'
            ? `Roles via Teams are not shown: this workspace's Astro token may not read Teams (needs ${FEATURE_NEEDS.teams.role}).`
            : 'Roles via Teams could not be read just now.',
    };
  }
  const ws = (id: string) => (names?.workspaces.get(id) ? escapeAndTruncate(oneLine(names.workspaces.get(id)!.name), 60) : inlineCode(id, 40));
  const dep = (id: string) => (names?.deployments.get(id) ? escapeAndTruncate(oneLine(names.deployments.get(id)!.name), 60) : inlineCode(id, 40));
  return {
    lines: teams.teams.map((t) => {
      const parts = [
        ...(t.organizationRole ? [escapeAndTruncate(roleLabel(t.organizationRole), 60)] : []),
        ...t.workspaceRoles.map((r) => `${escapeAndTruncate(roleLabel(r.role), 60)} in ${ws(r.workspaceId)}`),
        ...t.deploymentRoles.map((r) => `${escapeAndTruncate(roleLabel(r.role), 60)} on ${dep(r.deploymentId)}`),
        ...(t.dagRoles.length > 0 ? [`${t.dagRoles.length} DAG role${t.dagRoles.length === 1 ? '' : 's'}`] : []),
      ];
      return truncate(`• Team *${escapeAndTruncate(oneLine(t.name) || t.id, 60)}*${t.isIdpManaged ? ' (managed in your IdP)' : ''}: ${parts.length > 0 ? parts.join('; ') : '_no roles_'}`, 600);
    }),
  };
}

/** Splits `budget` between groups so that a small group is never squeezed out by a big one. */
function shareBudget(needs: number[], budget: number): number[] {
  const order = needs.map((n, i) => [n, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(needs.length).fill(0);
  let remaining = budget;
  order.forEach(([need, i], k) => {
    const share = Math.min(need, Math.floor(remaining / (order.length - k)));
    out[i] = share;
    remaining -= share;
  });
  return out;
}

/** Lines of a group that fit in `chars`, plus "…and N more" when some do not. */
function fitLines(group: RoleGroup, chars: number): string[] {
  const all = group.lines;
  const hidden = group.hidden ?? 0;
  const total = all.reduce((s, l) => s + lengthOf(l) + 1, 0);
  if (total <= chars && hidden === 0) return all;
  const kept: string[] = [];
  let used = 0;
  for (const line of all) {
    const n = lengthOf(line) + 1;
    if (used + n > chars - MORE_LINE_RESERVE) break;
    kept.push(line);
    used += n;
  }
  const more = all.length - kept.length + hidden;
  kept.push(`_…and ${more} more ${group.noun}${more === 1 ? '' : 's'}_`);
  return kept;
}

/** Joins lines into section texts of at most {@link SECTION_CHUNK} characters each. */
function chunk(lines: string[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of lines) {
    const candidate = cur ? `${cur}\n${line}` : line;
    if (lengthOf(candidate) > SECTION_CHUNK && cur) {
      out.push(cur);
      cur = truncate(line, SECTION_CHUNK);
    } else {
      cur = truncate(candidate, SECTION_CHUNK);
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** The plain-text fallback: who, status and how many roles. Escaped, one line, ≤ 300 chars. */
function fallbackText(user: AstroUser): string {
  const name = oneLine(user.fullName) || oneLine(user.username) || user.id;
  const status = statusDisplay(user.status).word;
  const org = user.organizationRole ? roleLabel(user.organizationRole) : 'no organization role';
  const counts = `${user.workspaceRoles.length} workspace, ${user.deploymentRoles.length} deployment and ${user.dagRoles.length} DAG roles`;
  const who = user.username && oneLine(user.username) !== name ? `${name} (${oneLine(user.username)})` : name;
  return escapeAndTruncate(`Astro user ${who}: ${status}, ${org}, ${counts}`, 300);
}

/**
 * Renders the card of `user`.
 *
 * @returns blocks within Block Kit limits for the surface (at most `maxBlocks` blocks, every text
 *   within its limit, the whole well under the ~12k message total) and a plain `text` fallback.
 */
export function renderUserCard(user: AstroUser, options: UserCardOptions): RenderedMessage {
  const { surface } = options;
  const prefix = options.blockIdPrefix ?? 'card';
  const maxBlocks = options.maxBlocks ?? DEFAULT_MAX_BLOCKS[surface];
  const blocks: KnownBlock[] = [];

  const name = oneLine(user.fullName) || oneLine(user.username) || user.id;
  blocks.push({
    type: 'header',
    block_id: `${prefix}:head`,
    text: { type: 'plain_text', text: truncate(name, LIMITS.headerText), emoji: false },
  });

  const status = statusDisplay(user.status);
  const statusText = `${status.emoji} *${escapeAndTruncate(status.word, 60)}*${status.hint ? ` (${status.hint})` : ''}`;
  const username = oneLine(user.username) ? escapeAndTruncate(oneLine(user.username), 254) : '_no username_';
  const orgRole = user.organizationRole ? escapeAndTruncate(roleLabel(user.organizationRole), 120) : '_none_';
  const summary: SectionBlock = {
    type: 'section',
    block_id: `${prefix}:summary`,
    text: { type: 'mrkdwn', text: `${username}\n${statusText}` },
  };
  if (surface === 'thread') {
    summary.text = { type: 'mrkdwn', text: `${username}\n${statusText} · Organization: *${orgRole}*` };
  } else {
    summary.fields = [
      { type: 'mrkdwn', text: `*Organization role*\n${orgRole}` },
      {
        type: 'mrkdwn',
        text: `*Roles*\n${user.workspaceRoles.length} workspace · ${user.deploymentRoles.length} deployment · ${user.dagRoles.length} DAG`,
      },
      { type: 'mrkdwn', text: `*Created*\n${slackDate(user.createdAt)}` },
      { type: 'mrkdwn', text: `*Updated*\n${slackDate(user.updatedAt)}` },
    ];
  }
  const avatar = httpsImageUrl(user.avatarUrl);
  if (avatar && surface !== 'thread') {
    summary.accessory = { type: 'image', image_url: avatar, alt_text: truncate(`Avatar of ${name}`, 200) };
  }
  blocks.push(summary);

  const anyRoles = user.workspaceRoles.length + user.deploymentRoles.length + user.dagRoles.length > 0;
  const showIds = options.showIds ?? surface === 'home';
  // Only as many roles of each kind as could ever be shown are formatted; the counts above stay whole.
  const drawable = Math.max(50, Math.ceil((options.roleCharBudget ?? ROLE_CHAR_BUDGET[surface]) / MIN_ROLE_LINE_CHARS));
  const hiddenOf = (roles: readonly unknown[]) => Math.max(0, roles.length - drawable);
  const hidden = { ws: hiddenOf(user.workspaceRoles), dep: hiddenOf(user.deploymentRoles), dag: hiddenOf(user.dagRoles) };
  const drawn: AstroUser =
    hidden.ws + hidden.dep + hidden.dag === 0
      ? user
      : { ...user, workspaceRoles: user.workspaceRoles.slice(0, drawable), deploymentRoles: user.deploymentRoles.slice(0, drawable), dagRoles: user.dagRoles.slice(0, drawable) };
  const teams = options.teams ? teamLines(options.teams, options.names) : undefined;
  const groups: RoleGroup[] = options.names
    ? [
        ...(anyRoles ? [{ key: 'ws', title: 'Roles by workspace', lines: groupedLines(drawn, options.names, options.astroUiUrl, showIds), noun: 'line', hidden: hidden.ws + hidden.dep + hidden.dag }] : []),
        ...(teams && teams.lines.length > 0 ? [{ key: 'team', title: 'Roles via Teams', lines: teams.lines, noun: 'team' }] : []),
      ]
    : [
        { key: 'ws', title: 'Workspace roles', lines: workspaceLines(drawn), noun: 'workspace role', hidden: hidden.ws },
        { key: 'dep', title: 'Deployment roles', lines: deploymentLines(drawn), noun: 'deployment role', hidden: hidden.dep },
        { key: 'dag', title: 'DAG roles', lines: dagLines(drawn), noun: 'DAG role', hidden: hidden.dag },
        ...(teams && teams.lines.length > 0 ? [{ key: 'team', title: 'Roles via Teams', lines: teams.lines, noun: 'team' }] : []),
      ];
  const present = surface === 'thread' || options.names ? groups.filter((g) => g.lines.length > 0) : groups;
  // Blocks left for role sections: header, summary, divider, context and actions take 5.
  const roleBlockBudget = Math.max(present.length, maxBlocks - (options.actions ? 5 : 4));
  const needs = present.map((g) => g.lines.reduce((s, l) => s + lengthOf(l) + 1, lengthOf(g.title) + 16));
  const shares = shareBudget(needs, options.roleCharBudget ?? ROLE_CHAR_BUDGET[surface]);
  const sections: SectionBlock[] = [];
  present.forEach((g, i) => {
    const head = g.key === 'ws' && options.names ? `*${g.title}*` : `*${g.title}* (${g.lines.length + (g.hidden ?? 0)})`;
    if (g.lines.length === 0) {
      sections.push({ type: 'section', block_id: `${prefix}:${g.key}:0`, text: { type: 'mrkdwn', text: `${head}\n_None_` } });
      return;
    }
    const lines = fitLines(g, (shares[i] ?? 0) - lengthOf(head) - 1);
    chunk([head, ...lines]).forEach((text, j) => {
      sections.push({ type: 'section', block_id: `${prefix}:${g.key}:${j}`, text: { type: 'mrkdwn', text } });
    });
  });
  if (present.length === 0) {
    sections.push({
      type: 'section',
      block_id: `${prefix}:none`,
      text: { type: 'mrkdwn', text: '_No workspace, deployment or DAG roles._' },
    });
  }
  if (sections.length > roleBlockBudget) {
    const dropped = sections.length - roleBlockBudget + 1;
    sections.splice(roleBlockBudget - 1);
    sections.push({
      type: 'section',
      block_id: `${prefix}:cut`,
      text: { type: 'mrkdwn', text: `_…${dropped} more sections of roles not shown here._` },
    });
  }
  if (surface !== 'thread') blocks.push({ type: 'divider', block_id: `${prefix}:div` });
  blocks.push(...sections);

  const notes = [`Astro user ID ${inlineCode(user.id, 64)}`, `as of ${slackDate(options.fetchedAt, '{date_short_pretty} at {time}')}`];
  if (options.askedBy && SLACK_USER_ID.test(options.askedBy)) notes.push(`asked by <@${options.askedBy}>`);
  if (options.sharedBy && SLACK_USER_ID.test(options.sharedBy)) notes.push(`shared by <@${options.sharedBy}>`);
  const context: KnownBlock = {
    type: 'context',
    block_id: `${prefix}:ctx`,
    elements: [{ type: 'mrkdwn', text: notes.join(' · ') }],
  };
  if (teams?.note) context.elements.push({ type: 'mrkdwn', text: teams.note });
  if (options.names?.failed) context.elements.push({ type: 'mrkdwn', text: 'Some names could not be read just now: their IDs are shown.' });
  if (user.unreadableRoles > 0) {
    context.elements.push({
      type: 'mrkdwn',
      text: `:warning: ${user.unreadableRoles} role ${user.unreadableRoles === 1 ? 'entry' : 'entries'} from Astro could not be read and ${user.unreadableRoles === 1 ? 'is' : 'are'} not shown.`,
    });
  }
  blocks.push(context);
  if (options.actions) {
    const actions = cardActions(user, options.actions, name, options.teams);
    if (actions) blocks.push({ ...actions, block_id: `${prefix}:actions` });
  }

  return { text: fallbackText(user), blocks };
}

/** The actions block of a card, or undefined when it has no buttons. */
function cardActions(user: AstroUser, a: CardActions, name: string, teams: TeamRoles | undefined): KnownBlock | undefined {
  const suffix = a.idSuffix ? `:${a.idSuffix}` : '';
  const value = a.value ?? user.id;
  const elements: Button[] = [];
  if (a.refresh) {
    elements.push({ type: 'button', action_id: `${CARD_ACTION.refresh}${suffix}`, text: { type: 'plain_text', text: 'Refresh' }, value });
  }
  if (a.shareAudience) {
    const audience = truncate(oneLine(a.shareAudience), 80);
    elements.push({
      type: 'button',
      action_id: `${CARD_ACTION.share}${suffix}`,
      text: { type: 'plain_text', text: 'Share to channel' },
      value,
      confirm: {
        title: { type: 'plain_text', text: 'Share this card?' },
        text: { type: 'plain_text', text: truncate(`Everyone in ${audience} will see ${name}'s Astro status, email and roles, with your name on it.`, 300) },
        confirm: { type: 'plain_text', text: 'Share' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
  }
  if (a.openUrl) {
    elements.push({ type: 'button', action_id: `${CARD_ACTION.open}${suffix}`, text: { type: 'plain_text', text: 'Open in Astro' }, url: a.openUrl, value });
  }
  if (a.explain) {
    const button = explainRolesButton(rolesOf(user, teams && 'teams' in teams ? teams.teams : []), undefined, a.idSuffix ? { idSuffix: a.idSuffix } : {});
    if (button) elements.push(button);
  }
  return elements.length > 0 ? { type: 'actions', elements } : undefined;
}
