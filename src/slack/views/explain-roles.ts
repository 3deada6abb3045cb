/**
 * "What can they do?": the button that carries a list of roles and the parser of its value
 * (defined in explain-button.ts, re-exported here), and the modal that explains each role. Pure.
 *
 * A button value that does not parse opens a friendly modal without any Astro call. The modal
 * follows Slack's limits for views (≤ 100 blocks, section text
 * ≤ 3000 characters, title ≤ 24: https://docs.slack.dev/reference/views/modal-views); long
 * permission lists are summarised.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { ExplainedPermissionGroup, ExplainedRole, ExplainNote, ExplainResult } from '../../app/explain-roles.js';
import { CUSTOM_ROLES_URL, USER_PERMISSIONS_URL } from '../../core/role-docs.js';
import type { RoleScope } from '../../core/roles.js';
import { LIMITS, escapeAndTruncate, inlineCode, lengthOf, oneLine, truncate } from './limits.js';
import { failureMessage } from './messages.js';

export { EXPLAIN_ACTION, EXPLAIN_LABEL, MAX_BUTTON_ROLES, encodeExplainValue, explainRolesButton, parseExplainValue, rolesOf, type ExplainRequest, type RoleHolder } from './explain-button.js';

const title = { type: 'plain_text', text: 'What can they do?' } as const;
const close = { type: 'plain_text', text: 'Close' } as const;
/** `callback_id` of the modal. */
export const EXPLAIN_CALLBACK = 'explain_roles_modal';

function modal(blocks: KnownBlock[]): ModalView {
  return { type: 'modal', callback_id: EXPLAIN_CALLBACK, title, close, blocks };
}

const section = (block_id: string, text: string): KnownBlock => ({ type: 'section', block_id, text: { type: 'mrkdwn', text } });

/** Shown at once while the roles are read (a `trigger_id` lives only 3 seconds). */
export function loadingExplainModal(): ModalView {
  return modal([section('explain:loading', ':hourglass_flowing_sand: Reading what these roles can do…')]);
}

/** For a button value that does not parse (garbled or forged): nothing was asked of Astro. */
export function unreadableExplainModal(): ModalView {
  return modal([
    section('explain:unreadable', ":warning: I couldn't read which roles this button is about. Look the user up again (`/astro-user …`) and use the fresh card's *What can they do?* button."),
  ]);
}

/** Blocks left for the roles: the notes and the footer take the rest. */
const ROLE_BLOCKS = LIMITS.viewBlocks - 4;
/** Text all roles may use together, in characters, shared equally (the whole modal stays a modest payload). */
const ROLE_CHARS_TOTAL = 60_000;
/** Section text chunk, a margin under the 3000-character limit. */
const SECTION_CHARS = 2900;
/** Each scope's role, in words. */
const SCOPE_WORDS: Record<RoleScope, string> = { ORGANIZATION: 'Organization role', WORKSPACE: 'Workspace role', DEPLOYMENT: 'Deployment role', DAG: 'DAG role' };

/** Lines that fit in `chars` (each line plus a newline), with a final "…and N more <noun>s" when some do not. */
function fitLines(lines: readonly string[], chars: number, more: (n: number) => string): string[] {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const n = lengthOf(line) + 1;
    const rest = lines.length - i;
    if (used + n > chars - (rest > 1 ? 70 : 0)) {
      out.push(more(rest));
      return out;
    }
    out.push(line);
    used += n;
  }
  return out;
}

/** The permission lines of a role: every permission with Astro's words when they fit, else one line per group. */
function permissionLines(groups: readonly ExplainedPermissionGroup[], count: number, chars: number): string[] {
  const head = `*Permissions in Astro* (${count}) _· from Astro_`;
  const full = groups.flatMap((g) => [
    `*${escapeAndTruncate(oneLine(g.title), 120)}*${g.description ? ` — ${escapeAndTruncate(oneLine(g.description), 200)}` : ''}`,
    ...g.permissions.map((p) => `• ${p.description ? `${escapeAndTruncate(oneLine(p.description), 200)} ` : ''}${inlineCode(p.action, 120)}`),
  ]);
  const budget = chars - lengthOf(head) - 1;
  if (full.reduce((s, l) => s + lengthOf(l) + 1, 0) <= budget) return [head, ...full];
  // Too long: one line per group, its actions' last parts (e.g. `get, update`).
  const compact = groups.map((g) => {
    const prefix = g.permissions.length > 0 ? commonPrefix(g.permissions.map((p) => p.action)) : '';
    const names = g.permissions.map((p) => p.action.slice(prefix.length) || p.action);
    return truncate(`• *${escapeAndTruncate(oneLine(g.title), 100)}*: ${escapeAndTruncate(names.join(', '), 400)}`, 600);
  });
  return [head, ...fitLines(compact, budget, (n) => `_…and ${n} more permission group${n === 1 ? '' : 's'}_`)];
}

/** The longest prefix up to a `.` that every action shares (`deployment.airflow.`), or ''. */
function commonPrefix(actions: readonly string[]): string {
  let prefix = actions[0] ?? '';
  for (const a of actions) while (prefix && !a.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const dot = prefix.lastIndexOf('.');
  return dot >= 0 ? prefix.slice(0, dot + 1) : '';
}

/** Why a role's permissions are not shown, in words. */
function missingWords(role: ExplainedRole): string | undefined {
  switch (role.permissionsMissing) {
    case 'denied':
      return "Astro's permission list for this role needs `organization.customRoles.get`, which this workspace's Astro token lacks.";
    case 'failed':
      return "Astro's permission list for this role could not be read just now.";
    case 'not_found':
      return 'No custom role of this name in the organization now: it may have been renamed or deleted.';
    case 'not_listed':
      return 'Astro did not list the permissions of this role.';
    default:
      return undefined;
  }
}

/**
 * One role's blocks, at most `blocks` of them and about `chars` characters: its words and
 * documented abilities, then Astro's permissions (a count only when one block is all it may use),
 * then a divider when there is room.
 */
function roleBlocks(role: ExplainedRole, i: number, blocks: number, chars: number, saidForAll: boolean): KnownBlock[] {
  const main: string[] = [];
  const kind = role.custom ? `custom ${SCOPE_WORDS[role.ref.scope]}` : SCOPE_WORDS[role.ref.scope];
  main.push(`*${escapeAndTruncate(oneLine(role.label) || role.ref.role, 150)}* · ${kind}`);
  main.push(escapeAndTruncate(oneLine(role.summary), 1200));
  const docs = `<${role.docsUrl}|Astronomer's docs>`;
  main.push(`_${role.summarySource === 'astro' ? 'Description from Astro' : `From ${docs}`}_`);
  // A refusal or failure of the whole role list is said once, above the roles.
  const missing = saidForAll && (role.permissionsMissing === 'denied' || role.permissionsMissing === 'failed') ? undefined : missingWords(role);
  if (missing) main.push(`_${missing}_`);
  if (role.restrictedWorkspaceIds && role.restrictedWorkspaceIds.length > 0) {
    const ids = role.restrictedWorkspaceIds.slice(0, 5).map((id) => inlineCode(id, 40));
    const more = role.restrictedWorkspaceIds.length - ids.length;
    main.push(`Only in Workspaces ${ids.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  const perSection = Math.min(SECTION_CHARS, blocks >= 2 ? Math.floor(chars / 2) : chars);
  if (role.abilities) {
    const rows = role.abilities.items.map((a) => `• ${escapeAndTruncate(a, 200)}`);
    const unlisted = role.abilities.unlisted.length > 0 ? [`_Plus what ${role.abilities.unlisted.map((r) => escapeAndTruncate(r, 60)).join(' and ')} add${role.abilities.unlisted.length === 1 ? 's' : ''} (not listed in the table)._`] : [];
    const head = `*What it can do* _· from <${role.docsUrl}|Astronomer's permission table>_`;
    const used = main.reduce((s, l) => s + lengthOf(l) + 1, 0) + lengthOf(head) + 1 + unlisted.reduce((s, l) => s + lengthOf(l) + 1, 0);
    main.push(head, ...fitLines(rows, perSection - used, (n) => `_…and ${n} more_`), ...unlisted);
  }
  const out: KnownBlock[] = [section(`r${i}:main`, truncate(main.join('\n'), SECTION_CHARS))];
  if (role.permissions && role.permissions.count > 0) {
    if (blocks >= 2) out.push(section(`r${i}:perm`, truncate(permissionLines(role.permissions.groups, role.permissions.count, perSection).join('\n'), SECTION_CHARS)));
    else out.push({ type: 'context', block_id: `r${i}:perm`, elements: [{ type: 'mrkdwn', text: `${role.permissions.count} permission${role.permissions.count === 1 ? '' : 's'} in Astro (too many roles here to list them).` }] });
  }
  if (blocks >= 3) out.push({ type: 'divider', block_id: `r${i}:div` });
  return out.slice(0, Math.max(1, blocks));
}

/** The notes about the whole answer, in words. */
function noteWords(note: ExplainNote): string | undefined {
  switch (note.code) {
    case 'roles_denied':
      return `:lock: This workspace's Astro API token may not read the organization's roles (it needs \`${note.permission}\`, which the ${escapeAndTruncate(note.role, 60)} role has): built-in roles are explained from Astronomer's documentation, and custom role details are not shown. An admin can connect a token with that role.`;
    case 'roles_unavailable':
      return ":warning: Astro's role list could not be read just now: roles are explained from Astronomer's documentation.";
    case 'words_unavailable':
      return "Astro's descriptions of permissions could not be read just now: permissions are shown by name.";
    case 'not_configured':
      return ':electric_plug: Astro is not connected for this workspace: roles are explained from Astronomer\'s documentation only.';
    case 'custom_list_incomplete':
      return 'Not every custom role of the organization could be read: a custom role may be missing.';
    case 'cut':
      return undefined; // said in the footer, with the count the button left out
  }
}

/** Options of {@link explainRolesModal}. */
export interface ExplainModalOptions {
  /** Roles the button left out (from its value). */
  omitted?: number;
}

/**
 * The modal explaining the roles: each role in plain words with where the words come from
 * (Astro, or Astronomer's documentation), what the documentation's table lists for it, and the
 * permissions Astro lists (every one with Astro's words when they fit, else one line per group).
 * A refusal shows the one failure message (src/slack/views/messages.ts).
 * @returns a modal within Block Kit limits (≤ 100 blocks, each section ≤ 3000 characters).
 */
export function explainRolesModal(result: ExplainResult, options: ExplainModalOptions = {}): ModalView {
  if (result.kind === 'refused') return modal(failureMessage(result.failure, '').blocks.map((b, j) => ({ ...b, block_id: `explain:fail:${j}` }) as KnownBlock));
  const omitted = (options.omitted ?? 0) + result.notes.reduce((n, note) => n + (note.code === 'cut' ? note.count : 0), 0);
  const notes = result.notes.map(noteWords).filter((t): t is string => Boolean(t));
  const blocks: KnownBlock[] = [];
  if (notes.length > 0) blocks.push({ type: 'context', block_id: 'explain:notes', elements: notes.slice(0, LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text: truncate(text, LIMITS.contextText) })) });
  const n = result.roles.length;
  if (n === 0) blocks.push(section('explain:none', '_No roles to explain._'));
  const perRole = n > 0 ? Math.max(1, Math.floor(ROLE_BLOCKS / n)) : 0;
  const shown = n > 0 ? Math.min(n, ROLE_BLOCKS) : 0;
  const chars = n > 0 ? Math.max(600, Math.floor(ROLE_CHARS_TOTAL / n)) : 0;
  const saidForAll = result.notes.some((note) => note.code === 'roles_denied' || note.code === 'roles_unavailable' || note.code === 'not_configured');
  result.roles.slice(0, shown).forEach((role, i) => {
    blocks.push(...roleBlocks(role, i, perRole, chars, saidForAll));
  });
  if (blocks.at(-1)?.type === 'divider') blocks.pop();
  const left = omitted + (n - shown);
  const footer = [
    `Someone with a Workspace role both directly and through a Team has the more privileged one (<${USER_PERMISSIONS_URL}|Astro user permissions reference>); Deployment roles add up, on top of the Workspace role (<${CUSTOM_ROLES_URL}|custom Deployment roles>).`,
  ];
  if (left > 0) footer.unshift(`_…and ${left} less powerful role${left === 1 ? '' : 's'} not explained here._`);
  blocks.push({ type: 'context', block_id: 'explain:footer', elements: footer.map((text) => ({ type: 'mrkdwn', text })) });
  return modal(blocks);
}
