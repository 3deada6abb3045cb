/**
 * `/astro-user access …`: not built yet; answers privately that it is coming.
 */
import type { Query } from '../../../core/query.js';
import type { ListenerDeps } from '../deps.js';
import type { Args } from './args.js';

/** Builds the `access` subcommand's listener. */
export function accessCommand(_deps: ListenerDeps) {
  return async (args: Args, query: Extract<Query, { kind: 'access' | 'access_help' }>): Promise<void> => {
    void query;
    await args.ack({ response_type: 'ephemeral', text: 'This command is not available yet.' });
  };
}
