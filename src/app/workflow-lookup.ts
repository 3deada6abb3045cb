/**
 * The Workflow Builder step "Look up Astro user": an email or an Astro user ID in, the user's ID,
 * status, Organization role and a one-line summary out. It is the same lookup as every other
 * surface ({@link lookUpQuery}) with a bot asker (the workflow): the workspace's rules apply, so
 * workflows are answered only when the workspace allows bots and workflows (App Home → Configure),
 * never past the user-group limit, and they share one abuse-limit bucket (`bot:workflow-step`).
 */
import { parseQuery } from '../core/query.js';
import type { Failure } from '../core/outcomes.js';
import { lookUpQuery } from './lookup-users.js';
import type { Services } from './ports.js';
import type { AskContext } from './request.js';

/** The bot asker's ID of every workflow step run (its abuse-limit bucket is `bot:workflow-step`). */
export const WORKFLOW_ASKER_ID = 'workflow-step';

/** The step's outputs, as the manifest declares them. */
export interface WorkflowLookupOutputs {
  user_id: string;
  status: string;
  organization_role: string;
  summary: string;
}

/** What the step answers: outputs, or why not (a {@link Failure}, or input that is neither an email nor an Astro user ID). */
export type WorkflowLookupResult = { kind: 'found'; outputs: WorkflowLookupOutputs } | { kind: 'failed'; failure: Failure; label: string } | { kind: 'bad_input' };

/** Longest input read, in characters. */
const MAX_INPUT = 320;

/**
 * Looks up the user a workflow names. `ctx.asker` must be the workflow's bot asker.
 * Never throws.
 */
export async function lookUpForWorkflow(services: Services, ctx: AskContext, input: string): Promise<WorkflowLookupResult> {
  const text = input.trim();
  if (!text || text.length > MAX_INPUT) return { kind: 'bad_input' };
  const query = parseQuery(text);
  if (query.kind !== 'user_id' && query.kind !== 'email') return { kind: 'bad_input' };
  const answer = await lookUpQuery(services, ctx, query);
  if (answer.kind === 'failed') return { kind: 'failed', failure: answer.failure, label: answer.label };
  if (answer.kind !== 'found') return { kind: 'bad_input' };
  const { user, userId } = answer.found;
  const status = user.status ?? 'UNKNOWN';
  const role = user.organizationRole ?? 'NONE';
  const who = user.fullName || user.username || userId;
  return { kind: 'found', outputs: { user_id: userId, status, organization_role: role, summary: `${who} · ${status.toLowerCase()} · ${roleWords(role)}` } };
}

/** `ORGANIZATION_OWNER` → `Organization Owner`. */
function roleWords(role: string): string {
  return role
    .toLowerCase()
    .split('_')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}
