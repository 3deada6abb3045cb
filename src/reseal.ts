/**
 * `npm run reseal` (node dist/reseal.js): finishes an encryption key rotation. With the same
 * configuration as the app (environment and `.env`), it re-seals every stored secret that is still
 * under ENCRYPTION_KEY_PREVIOUS with ENCRYPTION_KEY, and prints what it did and how many remain
 * under ENCRYPTION_KEY_PREVIOUS. Safe to run while the app runs, and to run again.
 *
 * Exit codes: 0 when nothing remains under ENCRYPTION_KEY_PREVIOUS and every secret opened;
 * 1 when some remain or some open with neither key (the lines say which); 2 for a configuration
 * problem or a store that cannot be opened.
 */
import 'dotenv/config';
import { ConfigError, loadConfig, secretsOf, type Config } from './config.js';
import { createLogger, createScrubber } from './logger.js';
import { openStores, type Stores } from './store/index.js';
import { resealAll } from './store/rotation.js';
import { SecretBox } from './store/secret-box.js';

const say = (line: string) => process.stdout.write(`astro-user reseal: ${line}\n`);
const fail = (line: string) => process.stderr.write(`astro-user reseal: ${line}\n`);

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) fail(p);
    return 2;
  }
  if (!config.encryption) {
    fail('ENCRYPTION_KEY is not set: there is no key to re-seal with.');
    return 2;
  }
  if (config.store.kind === 'memory') {
    fail('STORE_URL is memory: nothing is stored between runs, so there is nothing to re-seal.');
    return 2;
  }
  const scrub = createScrubber(secretsOf(config));
  let stores: Stores;
  try {
    stores = await openStores(config.store, { log: createLogger({ level: 'warn', secrets: secretsOf(config) }) });
  } catch (err) {
    fail(`could not open the store (${scrub((err as Error).message ?? String(err))}).`);
    return 2;
  }
  try {
    const r = await resealAll(stores, new SecretBox(config.encryption.key, config.encryption.previous));
    const k = r.byKind;
    say(`re-sealed ${r.resealed} under ENCRYPTION_KEY (${k.installation.resealed} Slack installations, ${k['astro-token'].resealed} Astro tokens); ${r.current} already were.`);
    say(`${r.remainingPrevious} remain under ENCRYPTION_KEY_PREVIOUS.`);
    if (r.unreadable > 0) {
      say(`${r.unreadable} open with neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS (${k.installation.unreadable} installations, ${k['astro-token'].unreadable} Astro tokens): those workspaces must install or connect Astro again.`);
    }
    if (r.remainingPrevious === 0 && r.unreadable === 0) say('done: ENCRYPTION_KEY_PREVIOUS can be removed.');
    return r.remainingPrevious === 0 && r.unreadable === 0 ? 0 : 1;
  } catch (err) {
    fail(`the store failed (${scrub((err as Error).message ?? String(err))}); nothing is lost, run it again.`);
    return 2;
  } finally {
    await stores.close();
  }
}

process.exitCode = await main();
