/**
 * The "Connect Astro" modal an admin uses to set the workspace's Astro organization and API token,
 * and the workspace's privacy policy. Pure. The token is never put back into a view: after saving
 * only a masked hint and the expiry are shown.
 * Source: https://docs.slack.dev/reference/views/modal-views (title ≤24, submit/close ≤24,
 * private_metadata ≤3000, ≤100 blocks).
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { Failure } from '../../core/outcomes.js';
import type { WorkspacePolicy } from '../../lookup/workspace-settings.js';
import { slackDate } from './format.js';
import { escapeAndTruncate, inlineCode } from './limits.js';

/** IDs of the modal and its inputs. */
export const CONFIG = {
  callbackId: 'astro_config',
  tokenBlock: 'astro_token',
  tokenAction: 'token',
  orgBlock: 'astro_org',
  orgAction: 'org',
  policyBlock: 'astro_policy',
  policyAction: 'policy',
  groupsBlock: 'astro_groups',
  groupsAction: 'groups',
} as const;

/** The policy checkboxes' values. */
export const POLICY_OPTIONS: { value: Exclude<keyof WorkspacePolicy, 'allowedUserGroups'>; text: string; description: string }[] = [
  { value: 'allowGuests', text: 'Guests may look users up', description: 'Off: multi- and single-channel guests are refused.' },
  {
    value: 'allowPublicInSharedChannels',
    text: 'Public cards in channels shared with other organizations',
    description: 'Off: in Slack Connect channels, mention answers and Share stay private.',
  },
  { value: 'privateMentionReplies', text: 'Answer @-mentions privately', description: 'On: mention answers are visible only to who asked.' },
  {
    value: 'allowBotMentions',
    text: 'Answer @-mentions by other bots and workflows',
    description: 'Off: ignored. On: answered, never past the user-group limit.',
  },
  {
    value: 'offboardOnDeactivation',
    text: 'Offboarding checklist when a member is deactivated',
    description: 'On: when Slack deactivates an Astro user, admins get what to remove.',
  },
];

/** What the form shows about the current connection (no token). */
export interface CurrentConnection {
  organizationId: string;
  tokenHint: string;
  scope: string;
  expiresAt?: number;
}

const title = { type: 'plain_text', text: 'Connect Astro' } as const;
const close = { type: 'plain_text', text: 'Close' } as const;

function modal(blocks: KnownBlock[], extra: Partial<ModalView> = {}): ModalView {
  return { type: 'modal', callback_id: CONFIG.callbackId, title, close, blocks, ...extra };
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** Shown at once while the admin check runs (a `trigger_id` lives only 3 seconds). */
export function loadingModal(): ModalView {
  return modal([section(':hourglass_flowing_sand: Checking your permissions…')]);
}

/** A polite refusal for someone who is not an admin. Nothing is saved. */
export function notAdminModal(): ModalView {
  return modal([
    section(
      ':lock: Only Slack workspace admins and owners (or the people the operator named in `ADMIN_USER_IDS`) can connect Astro. Ask one of them to open *astro-user → Home → Configure*.',
    ),
  ]);
}

/** When tokens cannot be stored because the operator has not set ENCRYPTION_KEY. */
export function noEncryptionKeyModal(): ModalView {
  return modal([
    section(
      ':key: Astro tokens are stored encrypted, and this astro-user has no encryption key yet. Ask the person who runs it to set `ENCRYPTION_KEY` (32 random bytes: `openssl rand -base64 32`) and restart it. Until then it uses the Astro token set in its environment, if any.',
    ),
  ]);
}

/**
 * The form. `apiHost` is the Astro API host the token will be sent to (the operator's; a
 * workspace cannot change it).
 */
export function configFormModal(options: { apiHost: string; current?: CurrentConnection; policy: WorkspacePolicy; privateMetadata: string }): ModalView {
  const { current, policy } = options;
  const blocks: KnownBlock[] = [
    section(
      'Connect this Slack workspace to your Astro organization with an *Organization API token*. The *Organization Member* role is the least privilege that works: it can read users, workspaces and deployments, and change nothing.',
    ),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Create one in Astro: *Organization Settings → Access Management → API Tokens*. A Workspace or Deployment API token will be refused by Astro when reading users. The token is sent only to ${inlineCode(options.apiHost, 100)}, and stored encrypted.`,
        },
      ],
    },
  ];
  if (current) {
    blocks.push(
      section(
        `*Connected:* organization ${inlineCode(current.organizationId, 64)} · token ${inlineCode(current.tokenHint, 10)} (${escapeAndTruncate(current.scope.toLowerCase(), 20)})${current.expiresAt ? ` · expires ${slackDate(current.expiresAt, '{date_short}')}` : ' · does not expire'}`,
      ),
    );
  }
  blocks.push(
    {
      type: 'input',
      block_id: CONFIG.tokenBlock,
      optional: Boolean(current),
      label: { type: 'plain_text', text: current ? 'New Astro API token (leave empty to keep the current one)' : 'Astro API token' },
      element: { type: 'plain_text_input', action_id: CONFIG.tokenAction, placeholder: { type: 'plain_text', text: 'eyJhbGciOi…' }, max_length: 3000 },
    },
    {
      type: 'input',
      block_id: CONFIG.orgBlock,
      optional: true,
      label: { type: 'plain_text', text: 'Organization ID (optional: read from the token)' },
      element: {
        type: 'plain_text_input',
        action_id: CONFIG.orgAction,
        max_length: 64,
        ...(current ? { initial_value: current.organizationId } : {}),
      },
    },
  );
  const options_ = POLICY_OPTIONS.map((o) => ({
    text: { type: 'plain_text' as const, text: o.text },
    description: { type: 'plain_text' as const, text: o.description },
    value: o.value,
  }));
  const initial = options_.filter((o) => policy[o.value as keyof WorkspacePolicy]);
  blocks.push({
    type: 'input',
    block_id: CONFIG.policyBlock,
    optional: true,
    label: { type: 'plain_text', text: 'Who may see what' },
    element: { type: 'checkboxes', action_id: CONFIG.policyAction, options: options_, ...(initial.length > 0 ? { initial_options: initial } : {}) },
  });
  blocks.push({
    type: 'input',
    block_id: CONFIG.groupsBlock,
    optional: true,
    label: { type: 'plain_text', text: 'Only members of these user groups may look up' },
    hint: { type: 'plain_text', text: 'Slack user group IDs (S…), comma-separated. Empty: every member.' },
    element: {
      type: 'plain_text_input',
      action_id: CONFIG.groupsAction,
      max_length: 500,
      ...(policy.allowedUserGroups.length > 0 ? { initial_value: policy.allowedUserGroups.join(',') } : {}),
    },
  });
  return modal(blocks, { submit: { type: 'plain_text', text: 'Check and save' }, private_metadata: options.privateMetadata });
}

/** Shown while the test call runs. */
export function checkingModal(): ModalView {
  return modal([section(':hourglass_flowing_sand: Checking the token with Astro…')]);
}

/** The outcome of the test call: saved, or why not. */
export function resultModal(outcome: { ok: true; organizationId: string; tokenHint: string; expiresAt?: number } | { ok: false; reason: string; requestId?: string }): ModalView {
  if (outcome.ok) {
    return modal([
      section(
        `:white_check_mark: *Connected and saved.* Organization ${inlineCode(outcome.organizationId, 64)}, token ${inlineCode(outcome.tokenHint, 10)}${outcome.expiresAt ? `, expires ${slackDate(outcome.expiresAt, '{date_short}')}` : ''}. Lookups in this workspace now use it; its cache was cleared.`,
      ),
    ]);
  }
  const blocks = [section(`:x: *Not saved.* ${outcome.reason}`)];
  if (outcome.requestId) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Astro request ID ${inlineCode(outcome.requestId, 128)}` }] });
  return modal(blocks);
}

/**
 * Words for a failed test call of a new token, explaining a Workspace or Deployment token's likely
 * refusal (only Organization API tokens may list the organization's users:
 * https://www.astronomer.io/docs/astro/organization-api-tokens).
 * @param scope the token's scope, from its claims; `organizationId` the organization it names.
 */
export function explainTestFailure(failure: Failure, scope: 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT', organizationId: string): string {
  if (failure.code !== 'astro') return 'The test call failed unexpectedly. Try again.';
  switch (failure.kind) {
    case 'unauthorized':
      return 'Astro refused this token: it is invalid, expired or was revoked. Create a new one.';
    case 'forbidden':
      return scope === 'ORGANIZATION'
        ? "This token isn't allowed to read the organization's users. Give it the Organization Member role (or higher)."
        : `This is a ${scope === 'WORKSPACE' ? 'Workspace' : 'Deployment'} API token: Astro does not let it read the organization's users. Create an Organization API token with the Organization Member role.`;
    case 'not_found':
    case 'bad_request':
      return `Astro doesn't know organization \`${organizationId}\` for this token. Check the Organization ID, or leave it empty to use the token's own.`;
    default:
      return "Astro didn't answer the test call. Try again in a moment.";
  }
}
