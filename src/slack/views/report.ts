/**
 * The admin report in Block Kit, for three surfaces: `ephemeral` (the private answer to
 * `/astro-user report`: counts, the first few items of each kind, "…and N more", and a button
 * to the full report in App Home), `channel` (a scheduled post: counts and names of things, never
 * of people) and `home` (the full report in App Home, as many items as 100 blocks hold). Pure.
 *
 * Every line names the thing and what to do, with a link: a Deployment's own page (its Astro UI
 * URL), else the Astro UI with the documented navigation as the link's words
 * (https://www.astronomer.io/docs/astro/organization-api-tokens,
 * https://www.astronomer.io/docs/astro/workspace-api-tokens,
 * https://www.astronomer.io/docs/astro/deployment-api-tokens,
 * https://www.astronomer.io/docs/astro/manage-workspaces,
 * https://www.astronomer.io/docs/astro/manage-organization-users).
 * Limits: https://docs.slack.dev/reference/block-kit/blocks (50 blocks per message, 100 per Home
 * view, section text ≤ 3000 characters) and the ~12,000-character message total (limits.ts).
 */
import type { HomeView, KnownBlock } from '@slack/types';
import type { Named, PersonFinding, RedundantFinding, ReportData, ReportGap, RoleGrant, RoleTarget, TokenFinding, WorkspaceFinding, InviteFinding } from '../../app/report.js';
import { astroDeploymentUrl } from '../../core/ids.js';
import { roleLabel, slackDate, statusDisplay } from './format.js';
import { LIMITS, escapeAndTruncate, inlineCode, lengthOf, oneLine, truncate } from './limits.js';
import type { RenderedMessage } from './user-card.js';

/** `action_id`s of the report's buttons and the `callback_id` of its Home view. */
export const REPORT = {
  showInHome: 'report_show_home',
  refreshHome: 'report_refresh_home',
  backHome: 'report_back_home',
  homeCallbackId: 'astro_user_report_home',
} as const;

/** Where the report is shown. */
export type ReportSurface = 'ephemeral' | 'channel' | 'home';

/** Options of {@link renderReport}. */
export interface ReportRenderOptions {
  surface: ReportSurface;
  /** Astro UI base, e.g. `https://cloud.astronomer.io` (links). */
  astroUiUrl: string;
}

/** Items shown per kind in a message (the rest are counted); fewer when the text would not fit. */
const MESSAGE_ITEMS = 3;
/** Characters of text a message may carry in all: under the ~12,000 total with room for the rest. */
const MESSAGE_TEXT_BUDGET = 10_500;
/** Characters per section, under the 3000 limit. */
const SECTION_CHARS = 2900;
/** Sections per kind in App Home, at most. */
const HOME_SECTIONS_PER_KIND = 5;
/** Longest name shown, in characters. */
const NAME_CHARS = 60;

/** A link with words (the words are ours: never `|` or `>`). */
const link = (url: string | undefined, words: string) => (url ? `<${url}|${words}>` : words);

/** A name in bold, or the ID as code when the name is unknown. */
function named(n: Named | undefined): string {
  if (!n) return '_unknown_';
  const name = n.name ? oneLine(n.name) : '';
  return name ? `*${escapeAndTruncate(name, NAME_CHARS)}*` : inlineCode(n.id, 40);
}

/** Where a role applies, in words. */
function targetWords(t: RoleTarget): string {
  switch (t.kind) {
    case 'organization':
      return 'the organization';
    case 'workspace':
      return `Workspace ${named(t.workspace)}`;
    case 'deployment':
      return `Deployment ${named(t.deployment)}`;
    case 'dag':
      return `${t.dagId ? `DAG ${inlineCode(t.dagId, 60)}` : `DAGs tagged ${inlineCode(t.dagTag ?? '?', 60)}`} in ${named(t.deployment)}`;
  }
}

/** A role and where it applies. */
const grantWords = (g: RoleGrant) => `${escapeAndTruncate(roleLabel(g.role), 50)} in ${targetWords(g.target)}`;

/** The Astro page (and navigation) where a role is removed. */
function rolePage(g: RoleGrant, ui: string): string {
  const t = g.target;
  if (t.kind === 'deployment' || t.kind === 'dag') {
    const url = t.workspaceId ? astroDeploymentUrl(ui, t.workspaceId, t.deployment.id) : undefined;
    if (url) return link(url, 'Deployment → Access');
  }
  if (t.kind === 'workspace') return `${link(ui, 'Workspace Settings → Access Management')} of that Workspace`;
  return link(ui, 'Organization Settings → Access Management → Users');
}

/** Words for a token's scope, and where it is managed. */
function tokenWhere(t: TokenFinding, ui: string): { scope: string; page: string } {
  if (t.scope === 'DEPLOYMENT') {
    const url = t.deployment?.workspaceId ? astroDeploymentUrl(ui, t.deployment.workspaceId, t.deployment.id) : undefined;
    return { scope: `Deployment token of ${named(t.deployment)}`, page: link(url ?? ui, url ? 'Deployment → Access → API Tokens' : 'the Deployment → Access → API Tokens') };
  }
  if (t.scope === 'WORKSPACE') {
    return { scope: `Workspace token of ${named(t.workspace)}`, page: link(ui, 'Workspace Settings → Access Management → API Tokens') };
  }
  return { scope: t.scope === 'ORGANIZATION' ? 'Organization token' : `${escapeAndTruncate(roleLabel(t.scope), 30)} token`, page: link(ui, 'Organization Settings → Access Management → API Tokens') };
}

/** The symbol of an expiry mark. */
const MARK: Record<NonNullable<TokenFinding['mark']>, string> = { expired: ':x:', day: ':red_circle:', week: ':large_orange_circle:', month: ':large_yellow_circle:' };

/** Days from `a` to `b`, rounded down (never negative). */
const days = (a: number, b: number) => Math.max(0, Math.floor((b - a) / 86_400_000));
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
/** `n` and the noun and verb that agree with it: `count(2, ['token expires', 'tokens expire'])`. */
const count = (n: number, [one, many]: [string, string]) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** One kind of finding, drawn. */
interface KindView {
  key: string;
  /** Bold title with its symbol. */
  title: string;
  /** The summary line: the count and what it means, or that nothing was found. */
  summary: string;
  total: number;
  /** Lines of the kept items, most urgent first. */
  lines: string[];
  /** Under the title, before the lines (a rule, what owners count). */
  note?: string;
  /** Names people: only counts on the channel surface. */
  people: boolean;
}

function tokenKinds(data: ReportData, ui: string, people: boolean): KindView[] {
  const t = data.tokens;
  if (!t) return [];
  const who = (f: TokenFinding) => (people && f.createdBy ? ` · created by ${escapeAndTruncate(oneLine(f.createdBy), NAME_CHARS)}` : '');
  const head = (f: TokenFinding) => {
    const where = tokenWhere(f, ui);
    return { text: `${named({ id: f.id, name: f.name })} (${where.scope})${who(f)}`, page: where.page };
  };
  const expiring = t.expiring.items.map((f) => {
    const h = head(f);
    const when = f.mark === 'expired' ? `expired ${slackDate(f.endAt, '{date_short}')}` : `expires ${slackDate(f.endAt, '{date_short}')} (in ${plural(days(data.now, f.endAt!), 'day')})`;
    return `${MARK[f.mark ?? 'month']} ${h.text} · ${when} → ${f.mark === 'expired' ? 'delete or replace it' : 'rotate it before then'}: ${h.page}`;
  });
  const noExpiry = t.noExpiry.items.map((f) => {
    const h = head(f);
    return `:infinity: ${h.text}${f.createdAt ? ` · created ${slackDate(f.createdAt, '{date_short}')}` : ''} → replace it with a token that expires: ${h.page}`;
  });
  const unused = t.unused.items.map((f) => {
    const h = head(f);
    const when = f.lastUsedAt ? `last used ${slackDate(f.lastUsedAt, '{date_short}')}` : `never used, created ${slackDate(f.createdAt, '{date_short}')}`;
    return `:zzz: ${h.text} · ${when} → delete it if nothing needs it: ${h.page}`;
  });
  const m = t.expiring.marks;
  const marks = [m.week && `${m.week} within 7 days`, m.day && `${m.day} within a day`, m.expired && `${m.expired} already expired`].filter(Boolean);
  return [
    {
      key: 'expiring',
      title: ':hourglass: *API tokens expiring within 30 days*',
      summary: t.expiring.total > 0 ? `:hourglass: *${count(t.expiring.total, ['API token* expires', 'API tokens* expire'])} within 30 days${marks.length ? ` (${marks.join(', ')})` : ''}` : ':white_check_mark: No API token expires within 30 days',
      total: t.expiring.total,
      lines: expiring,
      people: false,
    },
    {
      key: 'no_expiry',
      title: ':infinity: *API tokens that never expire*',
      summary: t.noExpiry.total > 0 ? `:infinity: *${count(t.noExpiry.total, ['API token* never expires', 'API tokens* never expire'])}` : ':white_check_mark: Every API token has an expiry date',
      total: t.noExpiry.total,
      lines: noExpiry,
      people: false,
    },
    {
      key: 'unused',
      title: ':zzz: *API tokens unused for 90 days or more*',
      summary: t.unused.total > 0 ? `:zzz: *${count(t.unused.total, ['API token* has', 'API tokens* have'])} gone unused for 90 days or more` : ':white_check_mark: No API token has gone unused for 90 days',
      total: t.unused.total,
      lines: unused,
      people: false,
    },
  ];
}

function personLine(p: PersonFinding, ui: string): string {
  const status = statusDisplay(p.status);
  const roles = p.roles.slice(0, 3).map(grantWords);
  const rolesText = p.roleCount > 0 ? ` · ${plural(p.roleCount, 'role')}: ${roles.join(', ')}${p.roleCount > roles.length ? ', …' : ''}` : '';
  const teams = p.teamCount > 0 ? ` · ${plural(p.teamCount, 'Team')}: ${p.teams.slice(0, 3).map((t) => `*${escapeAndTruncate(oneLine(t), 40)}*`).join(', ')}${p.teamCount > 3 ? ', …' : ''}` : '';
  const who = `*${escapeAndTruncate(oneLine(p.fullName) || oneLine(p.username) || p.userId, NAME_CHARS)}* (${escapeAndTruncate(oneLine(p.username), 80)})`;
  return `${status.emoji} ${who} · ${escapeAndTruncate(status.word, 20)}${rolesText}${teams} → remove their roles and Teams, or remove them from the organization: ${link(ui, 'Organization Settings → Access Management → Users')}`;
}

function inviteLine(i: InviteFinding, now: number, ui: string): string {
  const who = i.fullName && oneLine(i.fullName) !== oneLine(i.username) ? `*${escapeAndTruncate(oneLine(i.fullName), NAME_CHARS)}* (${escapeAndTruncate(oneLine(i.username), 80)})` : `*${escapeAndTruncate(oneLine(i.username) || i.userId, 80)}*`;
  return `:email: ${who} invited ${slackDate(i.invitedAt, '{date_short}')} (${plural(days(i.invitedAt, now), 'day')} ago) → resend or revoke the invitation: ${link(ui, 'Organization Settings → Access Management → Users')}`;
}

function workspaceLine(w: WorkspaceFinding, ui: string): string {
  const deployments = w.deployments !== undefined ? ` (${plural(w.deployments, 'Deployment')})` : '';
  return `:file_folder: ${named(w)}${deployments} → add a Workspace Owner: ${link(ui, 'Workspace Settings → Access Management')} of that Workspace`;
}

function redundantLine(r: RedundantFinding, ui: string): string {
  const who = `*${escapeAndTruncate(oneLine(r.fullName) || oneLine(r.username) || r.userId, NAME_CHARS)}*`;
  return `:twisted_rightwards_arrows: ${who}: ${grantWords(r.grant)}, which the Team ${named(r.team)} already grants (${escapeAndTruncate(roleLabel(r.teamRole), 50)}) → remove the direct role: ${rolePage(r.grant, ui)}`;
}

function peopleKinds(data: ReportData, ui: string): KindView[] {
  const owners = data.withoutOwner.organizationOwners;
  const ownerNote =
    owners > 0
      ? `No one holds Workspace Owner in these, directly or through a Team: only the organization's ${count(owners, ['Organization Owner manages', 'Organization Owners manage'])} them (Organization Owners are Workspace Owners everywhere).`
      : ':rotating_light: No one holds Workspace Owner in these, and the organization has no active Organization Owner either.';
  const kinds: KindView[] = [
    {
      key: 'inactive',
      title: ':no_entry: *Banned or inactive people who still hold roles*',
      summary: data.inactiveWithRoles.total > 0 ? `:no_entry: *${count(data.inactiveWithRoles.total, ['banned or inactive person* still holds', 'banned or inactive people* still hold'])} roles` : ':white_check_mark: No banned or inactive person holds a role',
      total: data.inactiveWithRoles.total,
      lines: data.inactiveWithRoles.items.map((p) => personLine(p, ui)),
      people: true,
    },
    {
      key: 'invites',
      title: ':email: *Invitations pending for more than 14 days*',
      summary: data.staleInvites.total > 0 ? `:email: *${count(data.staleInvites.total, ['invitation* has', 'invitations* have'])} been pending for more than 14 days` : ':white_check_mark: No invitation has been pending for more than 14 days',
      total: data.staleInvites.total,
      lines: data.staleInvites.items.map((i) => inviteLine(i, data.now, ui)),
      people: true,
    },
    {
      key: 'owners',
      title: ':file_folder: *Workspaces without a Workspace Owner*',
      summary:
        data.withoutOwner.total > 0
          ? `:file_folder: *${plural(data.withoutOwner.total, 'Workspace')}* without a Workspace Owner${owners > 0 ? ` (only the ${count(owners, ['Organization Owner manages', 'Organization Owners manage'])} them)` : ', and no active Organization Owner'}`
          : ':white_check_mark: Every Workspace has a Workspace Owner',
      total: data.withoutOwner.total,
      lines: data.withoutOwner.items.map((w) => workspaceLine(w, ui)),
      note: ownerNote,
      people: false,
    },
  ];
  if (data.redundantRoles) {
    kinds.push({
      key: 'redundant',
      title: ':twisted_rightwards_arrows: *Direct roles a Team already grants*',
      summary: data.redundantRoles.total > 0 ? `:twisted_rightwards_arrows: *${count(data.redundantRoles.total, ['direct role* only repeats', 'direct roles* only repeat'])} what a Team grants` : ':white_check_mark: No direct role only repeats a Team\'s',
      total: data.redundantRoles.total,
      lines: data.redundantRoles.items.map((r) => redundantLine(r, ui)),
      people: true,
    });
  }
  return kinds;
}

/** Words for a list that could not be read. */
function gapLine(g: ReportGap): string {
  const what = g.source === 'tokens' ? 'API tokens were not checked' : g.source === 'teams' ? 'Teams were not read (roles through Teams, Workspace Owners through Teams and repeated roles were not checked)' : 'The Workspace and Deployment lists were not read (names are shown as IDs; Workspaces without any role may be missing)';
  const why =
    g.kind === 'forbidden'
      ? `the Astro API token lacks \`${escapeAndTruncate(g.permission, 60)}\`: a token with the *${escapeAndTruncate(g.role, 60)}* role enables it (App Home → Configure)`
      : `Astro did not answer (${escapeAndTruncate(g.kind.replace(/_/g, ' '), 30)})${g.requestId ? `, request ID ${inlineCode(g.requestId, 128)}` : ''}; try again later`;
  return `:lock: ${what}: ${why}.`;
}

/** The top of every surface: the title, what was read and when, the summary and the gaps. */
function topBlocks(data: ReportData, kinds: KindView[], surface: ReportSurface): KnownBlock[] {
  const s = data.size;
  const counts = [
    `${s.users.toLocaleString('en-US')} users${data.usersTruncated ? ` (of ${s.usersTotal.toLocaleString('en-US')})` : ''}`,
    s.tokens !== undefined ? plural(s.tokens, 'API token') : undefined,
    s.teams !== undefined ? plural(s.teams, 'Team') : undefined,
    s.workspaces !== undefined ? plural(s.workspaces, 'Workspace') : undefined,
    s.deployments !== undefined ? plural(s.deployments, 'Deployment') : undefined,
  ].filter(Boolean);
  const blocks: KnownBlock[] = [
    { type: 'header', block_id: 'report:title', text: { type: 'plain_text', text: 'Astro access report' } },
    {
      type: 'context',
      block_id: 'report:about',
      elements: [{ type: 'mrkdwn', text: `Organization ${inlineCode(data.organizationId, 64)} · ${counts.join(' · ')} · as of ${slackDate(data.asOf, '{date_short_pretty} at {time}')}${surface === 'channel' ? '' : ' · visible only to you'}` }],
    },
    { type: 'section', block_id: 'report:summary', text: { type: 'mrkdwn', text: truncate(kinds.map((k) => k.summary).join('\n'), SECTION_CHARS) } },
  ];
  data.gaps.forEach((g, i) => {
    blocks.push({ type: 'section', block_id: `report:gap:${i}`, text: { type: 'mrkdwn', text: truncate(gapLine(g), SECTION_CHARS) } });
  });
  const notes: string[] = [];
  if (data.usersTruncated) notes.push(`Only the first ${s.users.toLocaleString('en-US')} users were read.`);
  if (data.teamsIncomplete > 0) notes.push(`The members of ${plural(data.teamsIncomplete, 'Team')} could not all be read: owners and roles through them may be missed.`);
  if (notes.length) blocks.push({ type: 'context', block_id: 'report:notes', elements: [{ type: 'mrkdwn', text: truncate(notes.join(' '), LIMITS.contextText) }] });
  return blocks;
}

/** Lines packed into sections of at most {@link SECTION_CHARS}, at most `maxBlocks` of them; "…and N more" when cut. */
function packed(key: string, head: string, lines: string[], total: number, maxBlocks: number, morePlace: string): KnownBlock[] {
  const texts: string[] = [];
  let current = head;
  let shown = 0;
  for (const line of lines) {
    const candidate = `${current}\n${line}`;
    if (lengthOf(candidate) <= SECTION_CHARS) {
      current = candidate;
      shown += 1;
      continue;
    }
    if (texts.length + 1 >= maxBlocks) break;
    texts.push(current);
    current = truncate(line, SECTION_CHARS);
    shown += 1;
  }
  const more = total - shown;
  if (more > 0) {
    const tail = `_…and ${more.toLocaleString('en-US')} more${morePlace}_`;
    if (lengthOf(`${current}\n${tail}`) <= SECTION_CHARS) current = `${current}\n${tail}`;
    else if (texts.length + 1 < maxBlocks) {
      texts.push(current);
      current = tail;
    } else current = `${truncate(current, SECTION_CHARS - lengthOf(tail) - 1)}\n${tail}`;
  }
  texts.push(current);
  return texts.map((text, i) => ({ type: 'section', block_id: `report:${key}:${i}`, text: { type: 'mrkdwn', text } }));
}

/** The fallback text: the counts in words. */
function fallbackText(kinds: KindView[]): string {
  const found = kinds.filter((k) => k.total > 0);
  const words = found.length > 0 ? found.map((k) => k.summary.replace(/:[a-z_]+:\s*/g, '').replace(/\*/g, '')).join('; ') : 'nothing needs attention';
  return truncate(`Astro access report: ${words}.`, LIMITS.fallbackText);
}

/**
 * The report in Block Kit for `surface`:
 * - `ephemeral`: at most 50 blocks and ~10,500 characters; up to 3 items of each kind (fewer when
 *   the text would not fit), "…and N more", and a "Show full report in App Home" button;
 * - `channel`: the same without people (banned or inactive people, invitations and repeated roles
 *   are counted, not named; token creators are left out) and without buttons;
 * - `home`: the blocks of the App Home report (≤ 100 with {@link reportHomeView}'s buttons), as
 *   many items of each kind as fit.
 */
export function renderReport(data: ReportData, options: ReportRenderOptions): RenderedMessage {
  const { surface } = options;
  const ui = options.astroUiUrl;
  const publicSurface = surface === 'channel';
  const kinds = [...tokenKinds(data, ui, !publicSurface), ...peopleKinds(data, ui)];
  const top = topBlocks(data, kinds, surface);
  const listed = kinds.filter((k) => k.total > 0 && !(publicSurface && k.people));
  const text = fallbackText(kinds);

  if (surface === 'home') {
    // 100 blocks: the top, the two buttons, and the rest shared by the kinds with findings.
    const budget = LIMITS.viewBlocks - top.length - 2 - listed.length;
    // At most 5 sections (about 50 items) per kind, so the view stays near 100,000 characters.
    const per = listed.length > 0 ? Math.min(HOME_SECTIONS_PER_KIND, Math.max(1, Math.floor(budget / listed.length))) : 0;
    const blocks = [...top];
    for (const k of listed) {
      blocks.push({ type: 'divider', block_id: `report:${k.key}:div` });
      const head = k.note ? `${k.title} (${k.total.toLocaleString('en-US')})\n_${k.note}_` : `${k.title} (${k.total.toLocaleString('en-US')})`;
      blocks.push(...packed(k.key, head, k.lines, k.total, per, ' in Astro'));
    }
    return { text, blocks };
  }

  // A message: fewer items per kind until the text fits the budget.
  const topChars = top.reduce((n, b) => n + lengthOf(JSON.stringify(b)), 0);
  let items = MESSAGE_ITEMS;
  let sections: KnownBlock[] = [];
  for (; items >= 0; items -= 1) {
    sections = listed.flatMap((k) => {
      const shown = k.lines.slice(0, items);
      const more = k.total - shown.length;
      const tail = more > 0 ? `_…and ${more.toLocaleString('en-US')} more${publicSurface ? '' : ' in the full report'}_` : '';
      const note = k.note && items > 0 ? `_${k.note}_` : '';
      return [{ type: 'section' as const, block_id: `report:${k.key}`, text: { type: 'mrkdwn' as const, text: truncate([`${k.title} (${k.total.toLocaleString('en-US')})`, note, ...shown, tail].filter(Boolean).join('\n'), SECTION_CHARS) } }];
    });
    const chars = topChars + sections.reduce((n, b) => n + lengthOf((b as { text: { text: string } }).text.text), 0);
    if (chars <= MESSAGE_TEXT_BUDGET) break;
  }
  const blocks: KnownBlock[] = [...top];
  if (sections.length > 0) blocks.push({ type: 'divider', block_id: 'report:div' }, ...sections);
  if (publicSurface) {
    const hidden = kinds.filter((k) => k.people && k.total > 0).length;
    blocks.push({
      type: 'context',
      block_id: 'report:public',
      elements: [{ type: 'mrkdwn', text: `${hidden > 0 ? 'People are counted here, not named. ' : ''}Admins can run \`/astro-user report\` for the full report, privately.` }],
    });
  } else {
    blocks.push({
      type: 'actions',
      block_id: 'report:actions',
      elements: [{ type: 'button', action_id: REPORT.showInHome, style: 'primary', text: { type: 'plain_text', text: 'Show full report in App Home' }, value: 'report' }],
    });
  }
  return { text, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** The App Home view around the report's `home` blocks (or a notice): Refresh and Back to lookups on top. */
export function reportHomeView(content: RenderedMessage): HomeView {
  const buttons: KnownBlock = {
    type: 'actions',
    block_id: 'report:home:actions',
    elements: [
      { type: 'button', action_id: REPORT.refreshHome, text: { type: 'plain_text', text: 'Refresh report' }, value: 'refresh' },
      { type: 'button', action_id: REPORT.backHome, text: { type: 'plain_text', text: 'Back to lookups' }, value: 'back' },
    ],
  };
  const [first, ...rest] = content.blocks;
  const blocks = first?.type === 'header' ? [first, buttons, ...rest] : [buttons, ...content.blocks];
  return { type: 'home', callback_id: REPORT.homeCallbackId, blocks: blocks.slice(0, LIMITS.viewBlocks) };
}

/** Shown at once while the report is built (the answer replaces it). */
export const buildingReportMessage: RenderedMessage = {
  text: 'Building the report…',
  blocks: [{ type: 'section', block_id: 'report:building', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Building the report… (reading every user, API token and Team of the organization can take a few seconds)' } }],
};

/** The private refusal for someone who is not an admin. */
export const reportNotAdminMessage: RenderedMessage = {
  text: 'Only Slack workspace admins can see the Astro access report.',
  blocks: [
    {
      type: 'section',
      block_id: 'report:refused',
      text: { type: 'mrkdwn', text: ':lock: Only Slack workspace admins and owners (or the people the operator named in `ADMIN_USER_IDS`) can see the Astro access report. Nothing was read from Astro.' },
    },
  ],
};
