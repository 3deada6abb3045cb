/**
 * Slack request signing, as Slack does it: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`
 * keyed with the signing secret (https://docs.slack.dev/authentication/verifying-requests-from-slack).
 */
import { createHmac } from 'node:crypto';

/** The two signature headers for `body`, signed at `timestamp` (seconds; now by default). */
export function slackSignatureHeaders(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${sig}` };
}

/** Posts a signed form-encoded body (slash commands; interactivity as `payload=`). */
export async function postSignedForm(url: string, form: Record<string, string>, secret: string, timestamp?: number): Promise<Response> {
  const body = new URLSearchParams(form).toString();
  return fetch(url, {
    method: 'POST',
    // Exactly this content type: Bolt parses a form only when it matches exactly.
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body, secret, timestamp) },
    body,
  });
}

/** Posts a signed JSON body (Events API). */
export async function postSignedJson(url: string, payload: unknown, secret: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...slackSignatureHeaders(body, secret), ...extraHeaders },
    body,
  });
}
