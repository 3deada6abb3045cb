/**
 * The benchmark's baseline: a bare Bolt 5 app with the same HTTPReceiver as astro-user
 * (`/slack/events`, processBeforeResponse false) that only acks a slash command and replies
 * with a fixed message via respond(). Like astro-user it verifies the bot token with
 * `auth.test` at start-up, and has a GET /healthz custom route.
 *
 * Env: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, PORT.
 */
import bolt from '@slack/bolt';

const { App, HTTPReceiver, LogLevel } = bolt;

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  endpoints: '/slack/events',
  processBeforeResponse: false,
  customRoutes: [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end('{"ok":true}');
      },
    },
  ],
});

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  logLevel: LogLevel.WARN,
  clientOptions: process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {},
  deferInitialization: true,
});

app.command(/^\/.+$/, async ({ ack, respond }) => {
  await ack();
  await respond({ response_type: 'ephemeral', replace_original: false, text: 'Hello from bare Bolt' });
});

process.on('SIGTERM', () => {
  app.stop().finally(() => process.exit(0));
});

await app.init();
await app.start(Number(process.env.PORT ?? 3000));
