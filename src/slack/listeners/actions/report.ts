/**
 * The report in App Home: "Show full report in App Home" (on the private report) and "Refresh
 * report" publish the full report into the clicking admin's Home tab ("Building the report…"
 * first, once they are let through); "Back to lookups" puts the lookup Home back. While the report
 * is on show, opening the Home tab leaves it there (see app-home-opened.ts).
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { homeData } from '../../../app/home.js';
import { reportForAsker } from '../../../app/report.js';
import { askContext, person } from '../../request.js';
import { publishHome } from '../../transport/publish-home.js';
import { failureMessage } from '../../views/messages.js';
import { buildingReportMessage, renderReport, reportHomeView, reportNotAdminMessage } from '../../views/report.js';
import type { ListenerDeps } from '../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>;

/** Show full report in App Home (`fresh`: Refresh report, which reads Astro again). */
export function reportInHome(deps: ListenerDeps, options: { fresh: boolean }) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const { body, client } = args;
    const userId = body.user.id;
    const ctx = askContext(deps, { context: args.context, body, client }, person(userId), 'home');
    let building: Promise<string | undefined> | undefined;
    const result = await reportForAsker(deps.services, ctx, {
      ...(options.fresh ? { fresh: true } : {}),
      onBuilding: () => {
        building = publishHome(client, { userId, view: async () => reportHomeView(buildingReportMessage), log: deps.log });
      },
    });
    const hash = building ? await building : undefined;
    const content =
      result.kind === 'report' ? renderReport(result.data, { surface: 'home', astroUiUrl: deps.astroUiUrl }) : result.kind === 'not_admin' ? reportNotAdminMessage : failureMessage(result.failure, '');
    await publishHome(client, { userId, hash, view: async () => reportHomeView(content), log: deps.log });
  };
}

/** Back to lookups: the lookup Home again (recent lookups, the latest card from the cache). */
export function reportBackHome(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const { body, client } = args;
    const ctx = askContext(deps, { context: args.context, body, client }, person(body.user.id), 'home');
    await publishHome(client, { userId: body.user.id, state: async () => ({ ...(await homeData(deps.services, ctx, true)), astroUiUrl: deps.astroUiUrl }), log: deps.log });
  };
}
