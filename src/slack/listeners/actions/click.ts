/** Where a button was clicked, read from Slack's signed `block_actions` payload. */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Click } from '../../../app/cards.js';

/**
 * The click: the button's value, whether its message is ephemeral (`container.is_ephemeral`; Slack
 * sends no `message` back for ephemeral messages either), the channel, and the clicker's team.
 * Source: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function clickOf(args: { action: ButtonAction; body: BlockAction<ButtonAction> }): Click {
  const body = args.body as BlockAction<ButtonAction> & { container?: { is_ephemeral?: boolean }; user: { team_id?: string } };
  return {
    value: args.action.value,
    ephemeral: body.container?.is_ephemeral === true || !body.message,
    ...(body.channel?.id ? { channelId: body.channel.id } : {}),
    ...(body.user.team_id ? { clickerTeamId: body.user.team_id } : {}),
  };
}
