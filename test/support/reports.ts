/**
 * Stand-ins for scheduled-report tests: a report source whose attention count a test sets (the
 * on-demand report's builder plugs in the same way), drawing a different line per surface so tests
 * can tell which surface was drawn.
 */
import type { ReportLike, ReportSource, ReportSurface } from '../../src/app/scheduled-report.js';

/** What the stand-in report holds; tests change it. */
export interface StandInReportState {
  attention: number;
  /** When set, making the report fails with this error. */
  fail?: Error;
  /** Reports made so far, with the surfaces drawn. */
  made: number;
  drawn: ReportSurface[];
}

/** A stand-in report source. */
export function standInReportSource(state: StandInReportState): ReportSource {
  return async () => {
    if (state.fail) throw state.fail;
    state.made += 1;
    const report: ReportLike = {
      attentionCount: state.attention,
      render(surface) {
        state.drawn.push(surface);
        const people = surface === 'public_counts' ? '2 people' : 'Ada Lovelace, Adam Smith';
        return { text: `${state.attention} things need attention`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Deployment \`prod\` has a token expiring · ${people} [${surface}]` } }] };
      },
    };
    return report;
  };
}

/** A fresh state: one thing needs attention. */
export function reportState(): StandInReportState {
  return { attention: 1, made: 0, drawn: [] };
}
