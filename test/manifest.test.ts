/**
 * manifest.yml matches the code: the command, shortcut, events and interactivity the listeners
 * serve, the fewest scopes that work, and Slack's manifest limits
 * (https://docs.slack.dev/reference/app-manifest).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BOT_SCOPES } from '../src/server/install.js';
import { LOOKUP_SHORTCUT_ID } from '../src/slack/listeners/shortcuts/lookup-message.js';
import { LOOKUP_STEP_ID, LOOKUP_STEP_INPUT } from '../src/slack/listeners/functions/lookup-astro-user.js';

type Manifest = {
  display_information: { name: string; description: string; long_description?: string };
  features: {
    app_home: { home_tab_enabled: boolean };
    bot_user: { display_name: string };
    slash_commands: { command: string; url: string; usage_hint: string; should_escape: boolean; description: string }[];
    shortcuts: { callback_id: string; type: string; name: string; description: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string }; org_deploy_enabled: boolean; function_runtime?: string };
  functions?: Record<string, { title: string; input_parameters: Record<string, { type: string; is_required?: boolean }>; output_parameters: Record<string, { type: string }> }>;
};

const manifest = yaml.load(readFileSync(fileURLToPath(new URL('../manifest.yml', import.meta.url)), 'utf8')) as Manifest;

describe('manifest.yml', () => {
  it('declares /astro-user with a usage hint and escaping on, pointed at Bolt', () => {
    const [cmd] = manifest.features.slash_commands;
    expect(cmd!.command).toBe('/astro-user');
    expect(cmd!.should_escape).toBe(true);
    expect(cmd!.usage_hint).toMatch(/user ID/);
    expect(cmd!.url).toMatch(/^https:\/\/APP_HOST\/slack\/events$/);
  });

  it('enables the Home tab, the events and interactivity the listeners handle, and the shortcut', () => {
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(['app_home_opened', 'app_mention', 'app_uninstalled', 'function_executed', 'link_shared', 'tokens_revoked', 'user_change']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toBe(manifest.settings.event_subscriptions.request_url);
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: LOOKUP_SHORTCUT_ID })]);
  });

  it('unfurls links of the default Astro UI host', () => {
    expect((manifest.features as { unfurl_domains?: string[] }).unfurl_domains).toEqual([new URL('https://cloud.astronomer.io').host]);
  });

  it('asks for the fewest scopes that work, the same as the install flow asks for', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
  });

  it("stays within Slack's manifest limits", () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect((manifest.display_information.long_description ?? '').length).toBeGreaterThanOrEqual(174);
    expect((manifest.display_information.long_description ?? '').length).toBeLessThanOrEqual(4000);
    expect(manifest.features.bot_user.display_name).toMatch(/^[a-z0-9._-]{1,80}$/);
    for (const s of manifest.features.shortcuts) {
      expect(s.name.length).toBeLessThanOrEqual(24);
      expect(s.description.length).toBeLessThanOrEqual(150);
    }
  });

  it('declares the Workflow Builder step the code serves, as a remote function of an org-ready app', () => {
    expect(manifest.settings.org_deploy_enabled).toBe(true);
    expect(manifest.settings.function_runtime).toBe('remote');
    const step = manifest.functions?.[LOOKUP_STEP_ID];
    expect(step?.title).toBe('Look up Astro user');
    expect(Object.keys(step!.input_parameters)).toEqual([LOOKUP_STEP_INPUT]);
    expect(step!.input_parameters[LOOKUP_STEP_INPUT]).toMatchObject({ type: 'string', is_required: true });
    expect(Object.keys(step!.output_parameters).sort()).toEqual(['organization_role', 'status', 'summary', 'user_id']);
  });
});
