/**
 * The scheduled report's source: the on-demand admin report (src/app/report.ts) drawn for the
 * scheduler's surfaces — a channel post that counts people (`public_counts`), one that names them
 * when the workspace chose so (`public_names`), or one admin privately.
 */
import { attentionOf, buildReport } from '../app/report.js';
import type { Services } from '../app/ports.js';
import { workspaceOf } from '../app/request.js';
import type { ReportSource } from '../app/scheduled-report.js';
import { renderReport } from './views/report.js';

/**
 * A {@link ReportSource} over {@link buildReport}; `services` is read when a report is made (so it
 * may be the services object this source is part of).
 */
export function adminReportSource(services: () => Services, astroUiUrl: string): ReportSource {
  return async (installation) => {
    const data = await buildReport(services(), workspaceOf(installation));
    return {
      attentionCount: attentionOf(data),
      render: (surface) => renderReport(data, { surface: surface === 'public_counts' ? 'channel' : 'ephemeral', astroUiUrl }),
    };
  };
}
