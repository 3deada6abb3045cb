/** What Bolt passes a slash command listener (the command and its subcommands). */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';

/** The arguments of a slash command listener. */
export type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/** The command's name as Slack sent it (`/astro-user`), for help texts; `/astro-user` when it looks odd. */
export function commandName(command: string | undefined): string {
  return command && /^\/[a-z0-9_-]{1,31}$/.test(command) ? command : '/astro-user';
}
