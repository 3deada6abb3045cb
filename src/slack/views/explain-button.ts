/**
 * The "What can they do?" button and its value: the roles themselves, compactly (at most 2000
 * characters: Block Kit's button value limit,
 * https://docs.slack.dev/reference/block-kit/block-elements/button-element), read back as
 * untrusted input. Pure. The modal the button opens is in explain-roles.ts.
 */
import type { Button } from '@slack/types';
import { z } from 'zod';
import { BUILT_IN_ROLES, byPower, distinctRoles, type RoleRef, type RoleScope } from '../../core/roles.js';
import { LIMITS, lengthOf, oneLine, truncate } from './limits.js';

/** `action_id` of the button (a `:n` suffix may follow when several share a message). */
export const EXPLAIN_ACTION = 'explain_roles';

/** The button's default text. */
export const EXPLAIN_LABEL = 'What can they do?';

/** Most roles one button carries (the most powerful are kept). */
export const MAX_BUTTON_ROLES = 40;

/** Longest custom role name carried, in characters (Astro's names are kept to 512; longer would not fit anyway). */
const MAX_NAME_CHARS = 512;

/** The value's format version and the letter of each scope. */
const PREFIX = 'xr1';
const SCOPE_LETTER: Record<RoleScope, string> = { ORGANIZATION: 'O', WORKSPACE: 'W', DEPLOYMENT: 'D', DAG: 'G' };
const LETTER_SCOPE: Record<string, RoleScope> = { O: 'ORGANIZATION', W: 'WORKSPACE', D: 'DEPLOYMENT', G: 'DAG' };

/**
 * One role in the value: scope letter, then a built-in role's index in `BUILT_IN_ROLES` (their
 * order is part of the `xr1` format: buttons already posted depend on it) or `~` and the
 * URI-encoded name; undefined for a name that cannot be encoded (a lone surrogate: not text any
 * role has).
 */
function encodeRole(ref: RoleRef): string | undefined {
  const i = BUILT_IN_ROLES[ref.scope].indexOf(ref.role);
  if (i >= 0) return `${SCOPE_LETTER[ref.scope]}${i}`;
  try {
    return `${SCOPE_LETTER[ref.scope]}~${encodeURIComponent(ref.role)}`;
  } catch {
    return undefined;
  }
}

/**
 * Encodes roles for a button value: `xr1|<left out>|<role>,<role>,…`. Repeats are dropped; the most
 * powerful roles are kept, as many as fit in 2000 characters and at most {@link MAX_BUTTON_ROLES}
 * (a role whose name alone could not fit is left out, and the next kept); the number left out
 * travels with them, so the modal can say so.
 * @returns the value, and how many roles were left out; `value` is undefined when no role fits
 *   (or none was given).
 */
export function encodeExplainValue(roles: readonly RoleRef[]): { value: string | undefined; omitted: number } {
  // Only roles the parser takes back: one line of text, of a length a role name can have.
  const ordered = byPower(distinctRoles(roles).filter((r) => r.role.trim().length > 0 && lengthOf(r.role) <= MAX_NAME_CHARS && oneLine(r.role) === r.role.trim()));
  let omitted = distinctRoles(roles).length - ordered.length;
  const kept: string[] = [];
  // Room for the prefix and a 4-digit count of roles left out.
  const room = LIMITS.buttonValue - PREFIX.length - 6;
  let used = 0;
  for (const [i, ref] of ordered.entries()) {
    const item = encodeRole(ref);
    // A role no value could carry (a name too long once encoded, or not text) is left out alone;
    // otherwise the first that does not fit ends the list, so only less powerful roles are left out.
    if (item === undefined || item.length > room) {
      omitted += 1;
      continue;
    }
    if (kept.length >= MAX_BUTTON_ROLES || used + item.length + 1 > room) {
      omitted += ordered.length - i;
      break;
    }
    kept.push(item);
    used += item.length + 1;
  }
  return { value: kept.length > 0 ? `${PREFIX}|${Math.min(omitted, 9999)}|${kept.join(',')}` : undefined, omitted };
}

/** What a button value says: the roles to explain, and how many the button left out. */
export interface ExplainRequest {
  roles: RoleRef[];
  omitted: number;
}

const ITEM = /^([OWDG])(?:(\d{1,2})|~([A-Za-z0-9%\-_.!~*'()]+))$/;

/** The button value's schema: anything that is not exactly what {@link encodeExplainValue} writes fails. */
const ExplainValueSchema = z
  .string()
  .max(LIMITS.buttonValue)
  .transform((value, ctx): ExplainRequest => {
    const m = /^xr1\|(\d{1,4})\|([^|]+)$/.exec(value);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'not an explain value' });
      return z.NEVER;
    }
    const items = m[2]!.split(',');
    if (items.length > MAX_BUTTON_ROLES) {
      ctx.addIssue({ code: 'custom', message: 'too many roles' });
      return z.NEVER;
    }
    const roles: RoleRef[] = [];
    for (const item of items) {
      const p = ITEM.exec(item);
      const scope = p ? LETTER_SCOPE[p[1]!] : undefined;
      let role: string | undefined;
      if (p && scope && p[2] !== undefined) role = BUILT_IN_ROLES[scope][Number(p[2])];
      else if (p && scope && p[3] !== undefined) {
        try {
          role = decodeURIComponent(p[3]);
        } catch {
          role = undefined;
        }
        // A name must be one line of text a custom role could have (no control characters).
        if (role !== undefined && (role.trim().length === 0 || lengthOf(role) > MAX_NAME_CHARS || oneLine(role) !== role.trim())) role = undefined;
      }
      if (!scope || role === undefined) {
        ctx.addIssue({ code: 'custom', message: 'unreadable role' });
        return z.NEVER;
      }
      roles.push({ scope, role });
    }
    return { roles: distinctRoles(roles), omitted: Number(m[1]) };
  });

/**
 * Reads a button value back (untrusted: it came from Slack's payload, and anyone can forge one).
 * @returns the roles and the count left out, or undefined for anything {@link encodeExplainValue}
 *   would not have written (then no Astro call should be made).
 */
export function parseExplainValue(value: unknown): ExplainRequest | undefined {
  const parsed = ExplainValueSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The "What can they do?" button for `roles` (e.g. one role group of an access list, or every role
 * of a user), or undefined when there is no role to explain.
 * @param label the button text (≤ 75 characters; cut beyond).
 * @param options.idSuffix appended to the `action_id` (`explain_roles:2`) when several buttons share a message.
 */
export function explainRolesButton(roles: RoleRef[], label: string = EXPLAIN_LABEL, options: { idSuffix?: string } = {}): Button | undefined {
  const { value } = encodeExplainValue(roles);
  if (!value) return undefined;
  return {
    type: 'button',
    action_id: options.idSuffix ? `${EXPLAIN_ACTION}:${options.idSuffix}` : EXPLAIN_ACTION,
    text: { type: 'plain_text', text: truncate(oneLine(label) || EXPLAIN_LABEL, LIMITS.buttonText) },
    value,
  };
}

/** Who holds roles: a user, or a Team (the shape of Astro's `User` and `Team` roles). */
export interface RoleHolder {
  organizationRole?: string;
  workspaceRoles: readonly { role: string }[];
  deploymentRoles: readonly { role: string }[];
  dagRoles: readonly { role: string }[];
}

/** Every role a holder has, directly and through `teams`, once each (scopes labelled as Astro does). */
export function rolesOf(holder: RoleHolder, teams: readonly RoleHolder[] = []): RoleRef[] {
  return distinctRoles(
    [holder, ...teams].flatMap((h) => [
      ...(h.organizationRole ? [{ scope: 'ORGANIZATION' as const, role: h.organizationRole }] : []),
      ...h.workspaceRoles.map((r) => ({ scope: 'WORKSPACE' as const, role: r.role })),
      ...h.deploymentRoles.map((r) => ({ scope: 'DEPLOYMENT' as const, role: r.role })),
      ...h.dagRoles.map((r) => ({ scope: 'DAG' as const, role: r.role })),
    ]),
  );
}
