/** What Bolt passes a slash command listener (the command and its subcommands). */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';

/** The arguments of a slash command listener. */
export type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;
