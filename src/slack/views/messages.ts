/**
 * Short messages: help, input problems, and every lookup error turned into words a person can
 * act on. This is the one place where typed errors become text.
 */
import type { KnownBlock } from '@slack/types';
import type { Failure } from '../../core/outcomes.js';
import type { InputProblem } from '../../core/query.js';
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
      `• \`${command} access etl-prod\` (a Deployment or Workspace by name, ID or Astro link) shows who can access it, and why.`,
      `• \`${command} help\` shows this message; admins connect Astro with \`${command} config\`.`,
      `• Admins: \`${command} report\` shows what needs attention (API tokens, people, Workspaces without an owner); \`${command} offboard jane@example.com\` lists what to remove when someone leaves.`,
      `An Astro user ID is 25 characters starting with \`c\`. Find it in Astro under *Organization Settings → Access Management → Users*, or with \`astro organization user list\`.`,
    ].join('\n'),
  );
}

/** A friendly explanation of an input that is not an Astro user ID (no API call was made). */
export function inputProblemMessage(problem: InputProblem, command = '/astro-user'): RenderedMessage {
  const tail = `Try \`${command} ${EXAMPLE_USER_ID}\`, or \`${command} help\`.`;
  switch (problem.kind) {
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
function requestIdNote(requestId: string | undefined): string | undefined {
  return requestId ? `Astro request ID ${inlineCode(requestId, 128)} (share it with Astronomer support if this persists)` : undefined;
}

/**
 * The one place where outcome codes become words: the message for a {@link Failure}, about the
 * Astro user `userId` when the query named one (else '').
 * An `unexpected` failure says so with no detail that could leak internals.
 */
export function failureMessage(failure: Failure, userId: string): RenderedMessage {
  const who = userId ? inlineCode(userId, 64) : '';
  switch (failure.code) {
    case 'not_configured':
      return simple(
        'Astro is not connected for this workspace yet.',
        ':electric_plug: Astro is not configured for this Slack workspace yet; an admin can connect Astro in App Home (open *astro-user → Home → Configure*, or type `/astro-user config`).',
      );
    case 'settings_unreadable':
      return simple(
        "This workspace's Astro settings can't be read.",
        ":warning: This Slack workspace's saved Astro token can't be decrypted (the encryption key may have changed). An admin can connect Astro again in App Home.",
      );
    case 'email_not_found':
      return simple('No Astro user has that email.', `:mag: No Astro user in this organization has the email you gave (Astro usernames are email addresses). Check the spelling, or look them up by name.`);
    case 'slack_user_no_email':
      return simple(
        "That Slack user's email is not visible.",
        `:mag: I can't see an email for <@${failure.slackUserId}>: their Slack profile hides it (or they are a bot). Look them up by Astro user ID, email or name instead.`,
      );
    case 'slack_user_not_in_astro':
      return simple('That Slack user has no Astro account.', `:mag: <@${failure.slackUserId}> has no Astro account with the email of their Slack profile in this organization.`);
    case 'no_name_match':
      return simple('No Astro user matches that name.', `:mag: No Astro user's name or username starts with ${inlineCode(failure.text, 60)}. Try the full email, or an Astro user ID.`);
    case 'not_in_user_group':
      return simple('Lookups here are limited to some user groups.', ':lock: In this workspace, only members of some Slack user groups can look up Astro users. Ask an admin if you need it.');
    case 'other_organization':
      return simple("People from another organization can't look up this workspace's Astro users.", ":lock: You're in another organization's Slack: this workspace's Astro users and access lists are only for its own members.");
    case 'guest_refused':
      return simple('Guests cannot look up Astro users here.', ":lock: Guests can't look up Astro users in this workspace. Ask a member of your team.");
    case 'asker_unknown':
      return simple("Slack couldn't confirm who you are; try again.", ":warning: Slack couldn't confirm your account just now, so I didn't look that up. Try again in a moment.");
    case 'bot_refused':
      return simple('astro-user does not answer bots and workflows here.', ':robot_face: This workspace does not let bots and workflows look up Astro users. An admin can allow it in App Home → Configure.');
    case 'public_not_allowed':
      return simple(
        'Cards stay private in this conversation.',
        ":lock: This conversation is shared with another organization, or Slack doesn't let me see it (a DM or a private channel I'm not in), so cards stay private here. Add me to the channel, or an admin can allow public cards in Slack Connect channels (App Home → Configure).",
      );
    case 'throttled': {
      const seconds = Math.max(1, Math.ceil(failure.retryAfterMs / 1000));
      return simple(
        'Too many lookups; slow down.',
        failure.scope === 'user'
          ? `:snail: You've made a lot of lookups in the last minute. Slow down a little: try again in ${seconds} s.`
          : `:snail: This workspace has made a lot of lookups in the last minute. Try again in ${seconds} s.`,
      );
    }
    case 'store_unavailable':
      return simple('astro-user is temporarily unavailable; try again.', ':construction: astro-user is temporarily unavailable (its storage is not answering). Try again in a moment.');
    case 'unexpected':
      return simple('Something went wrong on our side.', ':warning: Something went wrong on our side while looking that up. Please try again in a moment.');
    case 'astro':
      return astroMessage(failure.kind, who, requestIdNote(failure.requestId));
  }
}

/** Words for an Astro API failure. */
function astroMessage(kind: Extract<Failure, { code: 'astro' }>['kind'], who: string, note: string | undefined): RenderedMessage {
  switch (kind) {
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

/** Help for an @-mention that names nobody to look up. */
export const mentionHelp: RenderedMessage = simple(
  'Mention me with an Astro user ID to see that user here.',
  `Mention me with Astro user IDs, emails or people, e.g. \`@astro-user ${EXAMPLE_USER_ID}\` or \`@astro-user @jane\`, or ask \`@astro-user access etl-prod\` (or paste an Astro link), and I'll answer in this thread. For a private answer, use \`/astro-user\`.`,
);

/** The message shortcut found nothing to look up. */
export const nothingFoundMessage: RenderedMessage = simple('No Astro user IDs in that message.', ':mag: I found no Astro user IDs or emails in that message.');

/** Shown in App Home at once while a lookup runs. */
export const lookingUpNotice: RenderedMessage = simple(':hourglass_flowing_sand: Looking up…', ':hourglass_flowing_sand: Looking up…');

/** Shown in a conversation when an answer takes more than a moment; the answer replaces it. */
export const workingOnItMessage: RenderedMessage = simple('Looking that up in Astro…', ':hourglass_flowing_sand: Looking that up in Astro…');
