/**
 * Short messages: help, input problems, and every lookup error turned into words a person can
 * act on. This is the one place where typed errors become text.
 */
import type { KnownBlock } from '@slack/types';
import { AstroApiError } from '../../astro/errors.js';
import { NotConfiguredError } from '../../lookup/lookup.js';
import { ThrottledError } from '../../lookup/throttle.js';
import { SettingsUnreadableError } from '../../lookup/workspace-settings.js';
import { AskerUnknownError, GuestRefusedError, NoNameMatchError, NotInUserGroupError, SlackUserNoEmailError, SlackUserNotInAstroError } from '../lookups.js';
import { EmailNotFoundError } from '../../lookup/lookup.js';
import { StoreUnavailableError } from '../../store/once.js';
import type { RenderedMessage } from './user-card.js';
import { inlineCode } from './limits.js';

/** An example ID used in help texts (the Astro API spec's own example). */
export const EXAMPLE_USER_ID = 'clm9sq6s0000008kz7uvl7yz7';

function simple(text: string, mrkdwn: string, context?: string): RenderedMessage {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }];
  if (context) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  return { text, blocks };
}

/** Usage of `/astro-user`. `command` is the slash command's name as Slack sent it. */
export function helpMessage(command = '/astro-user'): RenderedMessage {
  return simple(
    `Look up an Astro user: ${command} &lt;user ID, email, @person or name&gt;`,
    [
      `*Look up an Astro user* and every role they hold (organization, workspace, deployment and DAG).`,
      `• \`${command} ${EXAMPLE_USER_ID}\` (an Astro user ID), \`${command} jane@example.com\`, \`${command} @jane\` (a Slack user) or \`${command} jane\` (a name) shows that user's card, privately to you.`,
      `• \`${command} help\` shows this message; admins connect Astro with \`${command} config\`.`,
      `An Astro user ID is 25 characters starting with \`c\`. Find it in Astro under *Organization Settings → Access Management → Users*, or with \`astro organization user list\`.`,
    ].join('\n'),
  );
}

/** Why a query was refused before any API call. */
export type InputProblem =
  | { kind: 'not_an_id'; shown: string }
  | { kind: 'email'; shown: string }
  | { kind: 'mention' }
  | { kind: 'several' }
  | { kind: 'too_long' };

/** A friendly explanation of an input that is not an Astro user ID (no API call was made). */
export function inputProblemMessage(problem: InputProblem, command = '/astro-user'): RenderedMessage {
  const tail = `Try \`${command} ${EXAMPLE_USER_ID}\`, or \`${command} help\`.`;
  switch (problem.kind) {
    case 'email':
      return simple(
        'Lookup by email is not available yet.',
        `I can't look up ${inlineCode(problem.shown, 60)} yet: for now I look up Astro user IDs only (25 characters starting with \`c\`). ${tail}`,
      );
    case 'mention':
      return simple(
        'Lookup by Slack mention is not available yet.',
        `I can't look up a Slack user yet: for now I look up Astro user IDs only (25 characters starting with \`c\`). ${tail}`,
      );
    case 'several':
      return simple('Give one Astro user ID at a time.', `Give me one Astro user ID at a time. ${tail}`);
    case 'too_long':
      return simple('That is too long to be an Astro user ID.', `That is too long to be an Astro user ID. ${tail}`);
    case 'not_an_id':
      return simple(
        'That does not look like an Astro user ID.',
        `${inlineCode(problem.shown, 60)} doesn't look like an Astro user ID: those are 25 characters, a \`c\` then lowercase letters and digits. ${tail}`,
      );
  }
}

/** Context line with Astro's requestId, for support. */
function requestIdNote(err: AstroApiError): string | undefined {
  return err.requestId ? `Astro request ID ${inlineCode(err.requestId, 128)} (share it with Astronomer support if this persists)` : undefined;
}

/**
 * The message for a failed lookup of `userId`.
 * Handles {@link AstroApiError} (by kind), {@link NotConfiguredError}, and anything else (as an
 * unexpected error, with no detail that could leak internals).
 */
export function lookupErrorMessage(err: unknown, userId: string): RenderedMessage {
  const who = userId ? inlineCode(userId, 64) : '';
  if (err instanceof NotConfiguredError) {
    return simple(
      'Astro is not connected for this workspace yet.',
      ':electric_plug: Astro is not configured for this Slack workspace yet; an admin can connect Astro in App Home (open *astro-user → Home → Configure*, or type `/astro-user config`).',
    );
  }
  if (err instanceof SettingsUnreadableError) {
    return simple(
      "This workspace's Astro settings can't be read.",
      ":warning: This Slack workspace's saved Astro token can't be decrypted (the encryption key may have changed). An admin can connect Astro again in App Home.",
    );
  }
  if (err instanceof EmailNotFoundError) {
    return simple('No Astro user has that email.', `:mag: No Astro user in this organization has the email you gave (Astro usernames are email addresses). Check the spelling, or look them up by name.`);
  }
  if (err instanceof SlackUserNoEmailError) {
    return simple(
      "That Slack user's email is not visible.",
      `:mag: I can't see an email for <@${err.slackUserId}>: their Slack profile hides it (or they are a bot). Look them up by Astro user ID, email or name instead.`,
    );
  }
  if (err instanceof SlackUserNotInAstroError) {
    return simple('That Slack user has no Astro account.', `:mag: <@${err.slackUserId}> has no Astro account with the email of their Slack profile in this organization.`);
  }
  if (err instanceof NoNameMatchError) {
    return simple('No Astro user matches that name.', `:mag: No Astro user's name or username starts with ${inlineCode(err.text, 60)}. Try the full email, or an Astro user ID.`);
  }
  if (err instanceof NotInUserGroupError) {
    return simple('Lookups here are limited to some user groups.', ':lock: In this workspace, only members of some Slack user groups can look up Astro users. Ask an admin if you need it.');
  }
  if (err instanceof GuestRefusedError) {
    return simple('Guests cannot look up Astro users here.', ":lock: Guests can't look up Astro users in this workspace. Ask a member of your team.");
  }
  if (err instanceof AskerUnknownError) {
    return simple("Slack couldn't confirm who you are; try again.", ":warning: Slack couldn't confirm your account just now, so I didn't look that up. Try again in a moment.");
  }
  if (err instanceof ThrottledError) {
    const seconds = Math.max(1, Math.ceil(err.retryAfterMs / 1000));
    return simple(
      'Too many lookups; slow down.',
      err.scope === 'user'
        ? `:snail: You've made a lot of lookups in the last minute. Slow down a little: try again in ${seconds} s.`
        : `:snail: This workspace has made a lot of lookups in the last minute. Try again in ${seconds} s.`,
    );
  }
  if (err instanceof StoreUnavailableError) {
    return simple('astro-user is temporarily unavailable; try again.', ':construction: astro-user is temporarily unavailable (its storage is not answering). Try again in a moment.');
  }
  if (!(err instanceof AstroApiError)) {
    return simple('Something went wrong on our side.', ':warning: Something went wrong on our side while looking that up. Please try again in a moment.');
  }
  const note = requestIdNote(err);
  switch (err.kind) {
    case 'not_found':
      return simple(
        'No such user in this Astro organization.',
        `:mag: ${who ? `No user ${who}` : 'No such user'} in this Astro organization, or the Astro API token can't see them. Check the ID (Astro → *Organization Settings → Access Management → Users*).`,
        note,
      );
    case 'unauthorized':
      return simple(
        'The Astro API token was refused.',
        `:closed_lock_with_key: Astro refused the Astro API token this Slack workspace uses: it is invalid or has expired. Ask an admin to replace it (App Home → Configure).`,
        note,
      );
    case 'forbidden':
      return simple(
        'The Astro API token lacks permission.',
        `:closed_lock_with_key: The Astro API token this Slack workspace uses isn't allowed to read users. Ask an admin to use an Organization API token (the Organization Member role is enough).`,
        note,
      );
    case 'rate_limited':
      return simple('Astro is busy; try again shortly.', `:hourglass: Astro is receiving too many requests right now. Try again in a few seconds.`, note);
    case 'timeout':
      return simple('Astro did not answer in time; try again.', `:hourglass: Astro didn't answer in time. Try again in a moment.`, note);
    case 'unavailable':
      return simple('The Astro API is unavailable; try again.', `:construction: The Astro API is unavailable right now. Try again in a moment.`, note);
    case 'bad_request':
      return simple('Astro refused the request.', `:warning: Astro refused the request${who ? ` for ${who}` : ''}. Check what you typed and try again.`, note);
    case 'bad_response':
      return simple(
        'Astro sent an answer we could not read.',
        `:warning: Astro sent an answer${who ? ` for ${who}` : ''} that I couldn't read. Try again; if it persists, tell the person who runs astro-user.`,
        note,
      );
  }
}
