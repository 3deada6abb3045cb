/**
 * What the listeners are given: the use cases' services, how to reach Slack for each request, and
 * presentation settings. Built in src/compose.ts.
 */
import type { CardRefs } from '../../app/cards.js';
import type { Claims } from '../../app/mention.js';
import type { WorkspaceDeps } from '../../app/workspace.js';
import type { WithReports } from '../../app/report-schedule-config.js';
import type { Logger } from '../../logger.js';
import type { DirectoryFor } from '../directory.js';
import type { Responder } from '../transport/respond.js';
import type { WebClient } from '@slack/web-api';
import type { InstallationRef } from '../../core/installation.js';

/** The listeners' dependencies. */
export interface ListenerDeps {
  services: WorkspaceDeps & Claims & WithReports;
  directoryFor: DirectoryFor;
  cardRefs: CardRefs;
  /** Astro UI base for links, e.g. `https://cloud.astronomer.io`. */
  astroUiUrl: string;
  /** The request's logger (carries its correlation ID). */
  log: Logger;
  responder: Responder;
  /** How long an answer may take before a "Looking up…" note is shown, in ms (src/slack/transport/progress.ts). */
  progressAfterMs: number;
  /** Redraws a person's Home (after a configuration change). */
  refreshHome?(client: WebClient, installation: InstallationRef, userId: string): Promise<void>;
}
