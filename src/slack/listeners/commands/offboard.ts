/**
 * `/astro-user offboard …`: not built yet; answers privately that it is coming.
 */
import type { Query } from '../../../core/query.js';
import type { ListenerDeps } from '../deps.js';
import type { Args } from './args.js';

/** Builds the `offboard` subcommand's listener. */
export function offboardCommand(_deps: ListenerDeps) {
  return async (args: Args, query: Extract<Query, { kind: 'offboard' }>): Promise<void> => {
    void query;
    await args.ack({ response_type: 'ephemeral', text: 'This command is not available yet.' });
  };
}
