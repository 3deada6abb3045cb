/**
 * Registers every listener on the Bolt app. Listeners are thin: parse, `ack()`, call the lookup,
 * render, reply.
 */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../lookups.js';
import { HOME } from '../views/home.js';
import { CONFIG } from '../views/config-modal.js';
import { CARD_ACTION } from '../views/user-card.js';
import { cardOpen, cardRefresh, cardShare, pickUser } from './actions/card.js';
import { PICK_ACTION } from '../views/picker.js';
import { homeLookup, homeOpenUser } from './actions/home.js';
import { astroUserCommand } from './commands/astro-user.js';
import { appHomeOpened } from './events/app-home-opened.js';
import { appMention } from './events/app-mention.js';
import { uninstallListener, type UninstallDeps } from './events/uninstall.js';
import { LOOKUP_SHORTCUT_ID, lookupMessageShortcut } from './shortcuts/lookup-message.js';
import { configSubmission, configureAction, disconnectAction, openConfigModal, type ConfigDeps } from './views/astro-config.js';

/** `action_id`, with an optional `:n` suffix (several cards in one message). */
const withSuffix = (id: string) => new RegExp(`^${id}(:\\d+)?$`);

/** Registers the slash command (any name the manifest gives it), events, actions, the shortcut and the modal. */
export function registerListeners(app: App, deps: SlackDeps & { config: ConfigDeps; uninstall: UninstallDeps }): void {
  app.command(/^\/.+$/, astroUserCommand(deps, (args) => openConfigModal(deps.config, args)));
  app.event('app_home_opened', appHomeOpened(deps));
  app.event('app_mention', appMention(deps));
  app.event('app_uninstalled', uninstallListener(deps.uninstall));
  app.event('tokens_revoked', uninstallListener(deps.uninstall));
  app.action(HOME.lookupAction, homeLookup(deps));
  app.action(HOME.queryAction, homeLookup(deps));
  app.action(withSuffix(HOME.recentAction), homeOpenUser(deps, { bypassCache: false }));
  app.action(HOME.configureAction, configureAction(deps.config));
  app.action(HOME.disconnectAction, disconnectAction(deps.config));
  app.action(withSuffix(CARD_ACTION.refresh), cardRefresh(deps));
  app.action(withSuffix(CARD_ACTION.share), cardShare(deps));
  app.action(withSuffix(CARD_ACTION.open), cardOpen());
  app.action(withSuffix(PICK_ACTION), pickUser(deps));
  app.shortcut({ type: 'message_action', callback_id: LOOKUP_SHORTCUT_ID }, lookupMessageShortcut(deps));
  app.view(CONFIG.callbackId, configSubmission(deps.config));
}
