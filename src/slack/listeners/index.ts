/**
 * Registers every listener on the Bolt app. Listeners are thin: parse, `ack()`, call the lookup,
 * render, reply.
 */
import type { App } from '@slack/bolt';
import type { Lookup } from '../../lookup/lookup.js';
import type { Logger } from '../../logger.js';
import { astroUserCommand } from './commands/astro-user.js';

/** What the listeners share. */
export interface ListenerDeps {
  lookup: Lookup;
  log: Logger;
}

/** Registers the slash command (any command name the manifest gives it routes here). */
export function registerListeners(app: App, deps: ListenerDeps): void {
  app.command(/^\/.+$/, astroUserCommand(deps));
}
