/**
 * "Who can access X?" in Block Kit: counts at the top, then everyone and everything with access,
 * grouped by role from the most to the least powerful, each line with its reason. Within Block
 * Kit's limits whatever the size (https://docs.slack.dev/reference/block-kit/blocks: 50 blocks per
 * message, 100 per modal or Home tab; section text ≤ 3000 characters): long groups end with
 * "…and N more" and the full list is one click away. Pure.
 */
import type { Button, KnownBlock } from '@slack/types';
import type { Grant, Holder } from '../../core/access.js';
import { astroDeploymentUrl } from '../../core/ids.js';
import type { CardKind } from '../../core/visibility.js';
import type { UnfurlSummary } from '../../app/unfurl.js';
import type { AccessResult, SubjectInfo } from '../../lookup/access.js';
import { EXPLAIN_LABEL, explainRolesButton } from './explain-button.js';
import { roleLabel, slackDate, statusDisplay } from './format.js';
import { escapeAndTruncate, escapeMrkdwn, inlineCode, oneLine, truncate } from './limits.js';
import type { RenderedMessage } from './user-card.js';

/** `action_id`s of an access answer's buttons (a `:n` suffix may follow on pickers). */
export const ACCESS_ACTION = { refresh: 'access_refresh', share: 'access_share', full: 'access_full', pick: 'access_pick', open: 'access_open', privately: 'access_privately' } as const;

/** Where an access answer is drawn. */
export type AccessSurface = 'message' | 'thread' | 'home' | 'modal';

/** Options of {@link renderAccess}. */
export interface AccessViewOptions {
  surface: AccessSurface;
  /** Who sees it (for "shared by" and the Share confirm). */
  kind: CardKind;
  /** Slack user who asked (thread) or shared (shared). */
  by?: string;
  /** Astro UI base for the "Open in Astro" link. */
  astroUiUrl: string;
  /** The signed reference for Refresh and Share; without it, no Refresh/Share buttons. */
  refValue?: string;
  /** Who would see a share, in words (`#ops`); without it, no Share button. */
  shareAudience?: string;
  /** Now, ms since the epoch (for "expires soon"). */
  now: number;
  /** Extra buttons (e.g. "What can they do?") appended to the actions. */
  extraActions?: Button[];
  /** Most blocks to use (App Home shares its 100 with the inputs); the surface's default otherwise. */
  maxBlocks?: number;
}

/** Per surface: most lines per group, characters of all lines, most blocks. */
const BUDGET: Record<AccessSurface, { perGroup: number; chars: number; blocks: number }> = {
  message: { perGroup: 8, chars: 8000, blocks: 44 },
  thread: { perGroup: 4, chars: 3000, blocks: 20 },
  home: { perGroup: 25, chars: 24_000, blocks: 70 },
  modal: { perGroup: 200, chars: 60_000, blocks: 94 },
};
/** A section's text, a margin under 3000. */
const SECTION_CHUNK = 2900;
/** Tokens expiring within this many days are marked. */
const SOON_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The subject's value in a button (`d:<id>` / `w:<id>`). */
export function subjectValue(subject: Pick<SubjectInfo, 'kind' | 'id'>): string {
  return `${subject.kind === 'deployment' ? 'd' : 'w'}:${subject.id}`;
}

/** Reads a `d:<id>` / `w:<id>` button value; undefined for anything else. */
export function parseSubjectValue(value: string | undefined): { kind: 'deployment' | 'workspace'; id: string } | undefined {
  const m = /^([dw]):([A-Za-z0-9_-]{1,128})$/.exec(value ?? '');
  return m ? { kind: m[1] === 'd' ? 'deployment' : 'workspace', id: m[2]! } : undefined;
}

/** "Deployment *etl-prod* in Workspace *Data*" (escaped). */
export function subjectTitle(subject: SubjectInfo): string {
  const name = `*${escapeAndTruncate(oneLine(subject.name) || subject.id, 100)}*`;
  if (subject.kind === 'workspace') return `Workspace ${name}`;
  return `Deployment ${name}${subject.workspaceName ? ` in Workspace *${escapeAndTruncate(oneLine(subject.workspaceName), 80)}*` : ''}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Where a grant is held, in words: "on Workspace Data", "on DAG `x`". */
function grantPlace(g: Grant, result: AccessResult): string {
  switch (g.on.kind) {
    case 'organization':
      return 'in the organization (Workspace Owner everywhere)';
    case 'workspace': {
      const name = result.names.workspaces[g.on.id];
      return `on Workspace ${name ? `*${escapeAndTruncate(oneLine(name), 60)}*` : inlineCode(g.on.id, 40)}`;
    }
    case 'deployment':
      return 'on this Deployment';
    case 'dag':
      return g.on.dagId ? `on DAG ${inlineCode(g.on.dagId, 80)}` : g.on.dagTag ? `on DAGs tagged ${inlineCode(g.on.dagTag, 80)}` : 'on some DAGs';
  }
}

/** How a grant is held: direct, or through a Team (marked when the identity provider manages it). */
function grantWay(g: Grant): string {
  if (!g.team) return 'direct';
  return `via Team *${escapeAndTruncate(oneLine(g.team.name) || g.team.id, 60)}*${g.team.isIdpManaged ? ' (identity provider)' : ''}`;
}

/** One grant in words: "Workspace Operator on Workspace *Data*, via Team *Ops*" (a Team's or token's own grants: no way). */
function grantText(g: Grant, result: AccessResult, withWay: boolean): string {
  return `${escapeAndTruncate(roleLabel(g.role), 60)} ${grantPlace(g, result)}${withWay ? `, ${grantWay(g)}` : ''}`;
}

/** A token's expiry and last use in words. */
function tokenFacts(h: Extract<Holder, { kind: 'token' }>, now: number): string {
  const parts = [`${escapeAndTruncate(roleLabel(h.scope), 30)} token`];
  if (!h.endAt) parts.push('never expires');
  else {
    const end = Date.parse(h.endAt);
    const days = Math.ceil((end - now) / DAY_MS);
    if (end <= now) parts.push(`:x: expired ${slackDate(h.endAt, '{date_short}')}`);
    else parts.push(`${days <= SOON_DAYS ? ':warning: ' : ''}expires ${slackDate(h.endAt, '{date_short}')}${days <= SOON_DAYS ? ` (in ${plural(days, 'day')})` : ''}`);
  }
  parts.push(h.lastUsedAt ? `last used ${slackDate(h.lastUsedAt, '{date_short}')}` : 'never used');
  return parts.join(' · ');
}

/** One line of a group. */
function holderLine(h: Holder, result: AccessResult, now: number): string {
  const others = h.grants.filter((g) => g !== h.top);
  const also = others.length > 0 ? `; also ${others.slice(0, 3).map((g) => grantText(g, result, h.kind === 'person')).join('; ')}${others.length > 3 ? `; and ${others.length - 3} more` : ''}` : '';
  switch (h.kind) {
    case 'person': {
      const name = oneLine(h.name) || oneLine(h.username) || h.id;
      const status = h.status && h.status !== 'ACTIVE' ? ` · ${statusDisplay(h.status).emoji} ${escapeAndTruncate(statusDisplay(h.status).word, 20)}` : '';
      const username = h.username && oneLine(h.username) !== name ? ` · ${escapeAndTruncate(oneLine(h.username), 80)}` : '';
      return `• *${escapeAndTruncate(name, 80)}*${username}${status} — ${grantPlace(h.top, result)}, ${grantWay(h.top)}${also}`;
    }
    case 'team':
      return `• :busts_in_silhouette: Team *${escapeAndTruncate(oneLine(h.name) || h.id, 80)}*${h.isIdpManaged ? ' (managed by your identity provider)' : ''} · ${plural(h.memberCount, 'member')} — ${grantPlace(h.top, result)}${also}`;
    case 'token':
      return `• :key: *${escapeAndTruncate(oneLine(h.name) || h.id, 80)}* · ${tokenFacts(h, now)} — ${grantPlace(h.top, result)}${also}`;
  }
}

/** The counts line. */
export function countsText(result: AccessResult): string {
  const { people, teams, tokens } = result.list.counts;
  const parts = [plural(people, 'person', 'people'), plural(teams, 'Team'), result.missing.includes('tokens') ? 'API tokens not shown' : plural(tokens, 'API token')];
  return parts.join(' · ');
}

/** Notes on what is not shown, and why. */
function caveats(result: AccessResult): string[] {
  const out: string[] = [];
  if (result.missing.includes('tokens')) out.push(":lock: API tokens aren't shown: the Astro token's role can't list them (it needs Organization Owner).");
  if (result.missing.includes('teams')) out.push(":lock: Teams aren't shown: the Astro token's role can't list them (it needs the organization.teams.get permission, Organization Member or above).");
  if (result.unread.teams.length > 0) out.push(`:warning: Members of ${plural(result.unread.teams.length, 'Team')} could not be read just now; those Teams are listed, their members are not. Try Refresh.`);
  if (result.unread.members > 0) out.push(`:information_source: ${plural(result.unread.members, 'Team member')} beyond the list limit are not shown.`);
  return out;
}

/**
 * Renders an access answer for `options.surface`.
 * @returns a message (or the blocks of a Home tab or modal) within Block Kit's limits.
 */
export function renderAccess(result: AccessResult, options: AccessViewOptions): RenderedMessage & { truncated: boolean } {
  const budget = { ...BUDGET[options.surface], ...(options.maxBlocks !== undefined ? { blocks: Math.min(BUDGET[options.surface].blocks, options.maxBlocks) } : {}) };
  const { subject } = result;
  const blocks: KnownBlock[] = [];
  const headerName = truncate(`Who can access ${oneLine(subject.name) || subject.id}`, 150);
  blocks.push({ type: 'header', block_id: 'access:head', text: { type: 'plain_text', text: headerName, emoji: false } });
  const facts = [subjectTitle(subject)];
  if (subject.kind === 'deployment' && subject.status) facts.push(`${escapeAndTruncate(roleLabel(subject.status), 30)}`);
  if (subject.kind === 'workspace') facts.push(plural(subject.deployments, 'Deployment'));
  facts.push(`as of ${slackDate(result.fetchedAt)}`);
  if (options.kind === 'shared' && options.by && /^[UW][A-Z0-9]{2,30}$/.test(options.by)) facts.push(`shared by <@${options.by}>`);
  blocks.push({ type: 'context', block_id: 'access:facts', elements: [{ type: 'mrkdwn', text: facts.join(' · ') }] });
  blocks.push({ type: 'section', block_id: 'access:counts', text: { type: 'mrkdwn', text: `*${countsText(result)}* with access` } });

  let chars = 0;
  let truncated = false;
  const reserveBlocks = 4; // caveats, "more" note, actions
  result.list.groups.forEach((group, gi) => {
    if (blocks.length >= budget.blocks - reserveBlocks) {
      truncated = true;
      return;
    }
    const title = `*${escapeAndTruncate(roleLabel(group.role), 80)}* · ${group.holders.length.toLocaleString('en-US')}`;
    const lines: string[] = [];
    let shown = 0;
    for (const h of group.holders) {
      if (shown >= budget.perGroup || chars >= budget.chars) break;
      const line = truncate(holderLine(h, result, options.now), 700);
      lines.push(line);
      chars += line.length;
      shown += 1;
    }
    const more = group.holders.length - shown;
    if (more > 0) {
      truncated = true;
      lines.push(`_…and ${more.toLocaleString('en-US')} more_`);
    }
    // Split into sections of at most SECTION_CHUNK characters; the group's first one carries
    // "What can they do?" for its role (not in a modal: a modal cannot open another).
    const explain = options.surface === 'modal' ? undefined : explainRolesButton([{ scope: group.scope, role: group.role }], EXPLAIN_LABEL, { idSuffix: String(gi) });
    const section = (text: string, part: number): KnownBlock => ({ type: 'section', block_id: `access:g${gi}:${part}`, text: { type: 'mrkdwn', text }, ...(part === 0 && explain ? { accessory: explain } : {}) });
    let text = title;
    let part = 0;
    for (const line of lines) {
      if (text.length + 1 + line.length > SECTION_CHUNK) {
        blocks.push(section(text, part++));
        if (blocks.length >= budget.blocks - reserveBlocks) {
          truncated = true;
          return;
        }
        text = line;
      } else text = `${text}\n${line}`;
    }
    blocks.push(section(text, part));
  });
  if (result.list.groups.length === 0) {
    blocks.push({ type: 'section', block_id: 'access:none', text: { type: 'mrkdwn', text: 'Nobody the Astro token can see has access.' } });
  }
  const notes = caveats(result);
  if (truncated && options.surface !== 'modal') notes.push(options.surface === 'home' ? 'The longest groups are cut here; *Show full list* has everyone.' : 'Long groups are cut; *Show full list* has everyone.');
  if (notes.length > 0) blocks.push({ type: 'context', block_id: 'access:notes', elements: [{ type: 'mrkdwn', text: truncate(notes.join('\n'), 2900) }] });

  if (options.surface !== 'modal') {
    const elements: Button[] = [];
    if (options.refValue) elements.push({ type: 'button', action_id: ACCESS_ACTION.refresh, text: { type: 'plain_text', text: 'Refresh' }, value: options.refValue });
    if (options.refValue && options.shareAudience) {
      const audience = truncate(oneLine(options.shareAudience), 80);
      elements.push({
        type: 'button',
        action_id: ACCESS_ACTION.share,
        text: { type: 'plain_text', text: 'Share to channel' },
        value: options.refValue,
        confirm: {
          title: { type: 'plain_text', text: 'Share this list?' },
          text: { type: 'plain_text', text: truncate(`Everyone in ${audience} will see who can access ${oneLine(subject.name)}: names, emails and roles, with your name on it.`, 300) },
          confirm: { type: 'plain_text', text: 'Share' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      });
    }
    if (truncated) elements.push({ type: 'button', action_id: ACCESS_ACTION.full, text: { type: 'plain_text', text: 'Show full list' }, value: subjectValue(subject) });
    const url = subject.kind === 'deployment' ? astroDeploymentUrl(options.astroUiUrl, subject.workspaceId, subject.id) : undefined;
    if (url) elements.push({ type: 'button', action_id: ACCESS_ACTION.open, text: { type: 'plain_text', text: 'Open in Astro' }, url, value: subjectValue(subject) });
    for (const b of options.extraActions ?? []) if (elements.length < 25) elements.push(b);
    if (elements.length > 0) blocks.push({ type: 'actions', block_id: 'access:actions', elements });
  }
  const { people, teams, tokens } = result.list.counts;
  // The notification text is mrkdwn too: names escaped, so a name cannot ping a channel or link out.
  const text = truncate(`Who can access ${escapeMrkdwn(oneLine(subject.name) || subject.id)}: ${plural(people, 'person', 'people')}, ${plural(teams, 'Team')}, ${plural(tokens, 'API token')}`, 300);
  return { text, blocks, truncated };
}

/** A short picker when several Deployments or Workspaces have the name asked about. */
export function renderSubjectPicker(candidates: SubjectInfo[], text: string): RenderedMessage {
  const shown = candidates.slice(0, 10);
  const blocks: KnownBlock[] = [{ type: 'section', block_id: 'apick:head', text: { type: 'mrkdwn', text: `*${shown.length} match* ${inlineCode(text, 60)}. Which one?` } }];
  shown.forEach((s, i) => {
    blocks.push({
      type: 'section',
      block_id: `apick:${i}`,
      text: { type: 'mrkdwn', text: truncate(`${subjectTitle(s)}${s.kind === 'deployment' && s.status ? ` · ${escapeAndTruncate(roleLabel(s.status), 30)}` : ''}`, 2900) },
      accessory: { type: 'button', action_id: `${ACCESS_ACTION.pick}:${i}`, text: { type: 'plain_text', text: 'Show' }, value: subjectValue(s), accessibility_label: truncate(`Show who can access ${oneLine(s.name)}`, 75) },
    });
  });
  return { text: truncate(`${shown.length} match "${escapeMrkdwn(oneLine(text))}"`, 300), blocks };
}

/** "Nothing called X" with close names to try (each a button). */
export function renderSubjectNotFound(text: string, suggestions: SubjectInfo[]): RenderedMessage {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: 'anf:head',
      text: { type: 'mrkdwn', text: `:mag: No Deployment or Workspace the Astro token can see is called or has the ID ${inlineCode(text, 80)}.${suggestions.length > 0 ? ' Did you mean:' : ' Check the name, or paste its Astro link.'}` },
    },
  ];
  suggestions.slice(0, 5).forEach((s, i) => {
    blocks.push({
      type: 'section',
      block_id: `anf:${i}`,
      text: { type: 'mrkdwn', text: truncate(subjectTitle(s), 2900) },
      accessory: { type: 'button', action_id: `${ACCESS_ACTION.pick}:${i}`, text: { type: 'plain_text', text: 'Show' }, value: subjectValue(s) },
    });
  });
  return { text: truncate(`No Deployment or Workspace called "${escapeMrkdwn(oneLine(text))}"`, 300), blocks };
}

/** A link we do not read: another host (nothing was asked of Astro), or an Astro page that is not a Deployment or Workspace. */
export function renderNotALink(host: string | undefined, astroUiUrl: string): RenderedMessage {
  const text = host
    ? `That link goes to ${inlineCode(host, 80)}, not to the Astro UI (${escapeAndTruncate(oneLine(astroUiUrl), 100)}). Paste a Deployment or Workspace link from Astro, or give its name.`
    : 'That Astro link is not a Deployment or Workspace page. Open the Deployment (or Workspace) in Astro and paste that link, or give its name.';
  return { text: truncate(text.replace(/[`*]/g, ''), 300), blocks: [{ type: 'section', block_id: 'alink', text: { type: 'mrkdwn', text: `:link: ${text}` } }] };
}

/** How to ask: `/astro-user access <name, ID or link>`. */
export function accessHelp(command = '/astro-user'): RenderedMessage {
  const text = `Ask who can access a Deployment or Workspace: \`${command} access etl-prod\`, its ID, or paste its Astro link.`;
  return { text: text.replace(/`/g, ''), blocks: [{ type: 'section', block_id: 'ahelp', text: { type: 'mrkdwn', text } }] };
}

/**
 * The public unfurl of an Astro link: the Deployment or Workspace, its status, and how many people,
 * Teams and API tokens have access — no names, no emails — with a button that shows the full list
 * only to whoever clicks it (under the asker rules).
 */
export function renderUnfurl(summary: UnfurlSummary): { blocks: KnownBlock[] } {
  const { subject, counts } = summary;
  const facts = [subjectTitle(subject)];
  if (subject.kind === 'deployment' && subject.status) facts.push(escapeAndTruncate(roleLabel(subject.status), 30));
  if (subject.kind === 'workspace') facts.push(plural(subject.deployments, 'Deployment'));
  const who = [plural(counts.people, 'person', 'people'), plural(counts.teams, 'Team'), ...(summary.missing.includes('tokens') ? [] : [plural(counts.tokens, 'API token')])].join(' · ');
  return {
    blocks: [
      { type: 'section', block_id: 'unfurl:what', text: { type: 'mrkdwn', text: truncate(facts.join(' · '), 2900) } },
      { type: 'context', block_id: 'unfurl:who', elements: [{ type: 'mrkdwn', text: `:busts_in_silhouette: ${who} have access · as of ${slackDate(summary.fetchedAt)}` }] },
      {
        type: 'actions',
        block_id: 'unfurl:actions',
        elements: [{ type: 'button', action_id: ACCESS_ACTION.privately, text: { type: 'plain_text', text: 'Who has access? (only you will see)' }, value: subjectValue(subject) }],
      },
    ],
  };
}
