/**
 * `/astro-user report …`: not built yet; answers privately that it is coming.
 */
import type { ListenerDeps } from '../deps.js';
import type { Args } from './args.js';

/** Builds the `report` subcommand's listener. */
export function reportCommand(_deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    
    await args.ack({ response_type: 'ephemeral', text: 'This command is not available yet.' });
  };
}
