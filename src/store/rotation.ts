/**
 * The stored secrets and the encryption keys: finishing a key rotation ({@link resealAll}) and
 * checking at start-up that the configured keys open what is stored ({@link checkEncryptionKey}).
 *
 * Where secrets are sealed ({@link SEALED_RECORDS}), with the additional authenticated data
 * each is bound to. These must match the modules that write them:
 * src/slack/installation-store.ts (`<key>|installation`, the whole installation, field `sealed`)
 * and src/lookup/workspace-settings.ts (`<key>|astro-token`, field `sealedToken`);
 * test/store/rotation.test.ts writes through those modules and fails if they drift apart.
 */
import type Keyv from 'keyv';
import { SEAL_AAD, type SecretBox } from './secret-box.js';
import type { Stores, StrictNamespace } from './index.js';

/** One kind of stored record holding a sealed secret. */
export interface SealedRecord {
  /** What it is, for reports: `installation` or `astro-token`. */
  what: 'installation' | 'astro-token';
  namespace: StrictNamespace;
  /** Keys of such records start with this (then the installation key, e.g. `T.T0123`). */
  prefix: string;
  /** The record's field that holds the sealed text. */
  field: string;
  /** The additional authenticated data the value is bound to, from its installation key. */
  aad(installationKey: string): string;
}

/** Every kind of record holding a sealed secret. */
const SEALED_RECORDS: readonly SealedRecord[] = [
  { what: 'installation', namespace: 'installs', prefix: 'slack:', field: 'sealed', aad: SEAL_AAD.installation },
  { what: 'astro-token', namespace: 'settings', prefix: 'astro:', field: 'sealedToken', aad: SEAL_AAD.astroToken },
];

/** One stored sealed value. */
interface Found {
  record: SealedRecord;
  /** The key in its namespace, e.g. `slack:T.T0123`. */
  key: string;
  row: Record<string, unknown>;
  sealed: string;
}

async function* sealedValues(stores: Stores): AsyncGenerator<Found> {
  for (const record of SEALED_RECORDS) {
    const kv: Keyv = stores[record.namespace];
    for (const key of await stores.listKeys(record.namespace)) {
      if (!key.startsWith(record.prefix)) continue;
      const row = (await kv.get(key)) as unknown;
      if (row === null || typeof row !== 'object') continue;
      const sealed = (row as Record<string, unknown>)[record.field];
      if (typeof sealed === 'string') yield { record, key, row: row as Record<string, unknown>, sealed };
    }
  }
}

/** True when `found` opens with a configured key. */
function opens(box: SecretBox, found: Found): { plaintext: string } | undefined {
  try {
    return box.open(found.sealed, found.record.aad(found.key.slice(found.record.prefix.length)));
  } catch {
    return undefined;
  }
}

/** What {@link resealAll} did. Counts are of stored secrets (installations and Astro tokens). */
export interface ResealReport {
  /** Opened with ENCRYPTION_KEY_PREVIOUS and written again under ENCRYPTION_KEY. */
  resealed: number;
  /** Already under ENCRYPTION_KEY (and opening with it). */
  current: number;
  /** Still under ENCRYPTION_KEY_PREVIOUS after the pass (a write failed, or another instance wrote one meanwhile). */
  remainingPrevious: number;
  /** Opening with neither key (sealed with another key, or damaged): left as they are. */
  unreadable: number;
  /** Per kind of record, the same counts. */
  byKind: Record<SealedRecord['what'], { resealed: number; current: number; unreadable: number }>;
}

/**
 * Re-seals every stored secret that is under ENCRYPTION_KEY_PREVIOUS with ENCRYPTION_KEY, then
 * counts what remains under the previous key. Values under an unknown key are left untouched.
 * A record is rewritten only if it has not changed since it was read (checked just before the
 * write; keyv offers no compare-and-set, so a write by another instance in that instant can
 * still be overwritten by the same content re-sealed).
 * @throws when the store fails (nothing is lost: run it again).
 */
export async function resealAll(stores: Stores, box: SecretBox): Promise<ResealReport> {
  const report: ResealReport = {
    resealed: 0,
    current: 0,
    remainingPrevious: 0,
    unreadable: 0,
    byKind: { installation: { resealed: 0, current: 0, unreadable: 0 }, 'astro-token': { resealed: 0, current: 0, unreadable: 0 } },
  };
  for await (const found of sealedValues(stores)) {
    const counts = report.byKind[found.record.what];
    const opened = opens(box, found);
    if (!opened) {
      report.unreadable += 1;
      counts.unreadable += 1;
      continue;
    }
    if (box.keyOf(found.sealed) === 'active') {
      report.current += 1;
      counts.current += 1;
      continue;
    }
    const kv: Keyv = stores[found.record.namespace];
    const now = (await kv.get(found.key)) as Record<string, unknown> | undefined;
    if (now?.[found.record.field] !== found.sealed) continue; // changed meanwhile: counted below
    const installationKey = found.key.slice(found.record.prefix.length);
    await kv.set(found.key, { ...found.row, [found.record.field]: box.seal(opened.plaintext, found.record.aad(installationKey)) });
    report.resealed += 1;
    counts.resealed += 1;
  }
  for await (const found of sealedValues(stores)) if (box.keyOf(found.sealed) === 'previous') report.remainingPrevious += 1;
  return report;
}

/** The outcome of {@link checkEncryptionKey}. */
export type KeyCheck =
  | {
      ok: true;
      /** How many sealed values were opened to check (0: nothing stored yet). */
      sampled: number;
      /** Of those, how many opened with no configured key although others opened with ENCRYPTION_KEY (worth a warning). */
      unreadable: number;
    }
  | {
      /**
       * `wrong_key`: none of the sampled values opens with ENCRYPTION_KEY and `count` of them open
       * with no configured key: ENCRYPTION_KEY changed without ENCRYPTION_KEY_PREVIOUS holding the
       * key they were sealed with. `previous_only`: none opens with ENCRYPTION_KEY, all `count`
       * open with ENCRYPTION_KEY_PREVIOUS: a rotation has begun and not been finished (npm run reseal).
       */
      problem: 'wrong_key' | 'previous_only';
      count: number;
      sampled: number;
    };

/**
 * Checks the configured keys against what is stored, by opening up to `sample` sealed values
 * (default 20: the first found, installations then Astro tokens). An empty store is `ok`. Values that
 * open with no key while others open with ENCRYPTION_KEY are not a key mistake (a damaged row, or
 * one left from an older rotation): `ok`.
 * @throws when the store fails.
 */
export async function checkEncryptionKey(stores: Stores, box: SecretBox, options: { sample?: number } = {}): Promise<KeyCheck> {
  const limit = options.sample ?? 20;
  let active = 0;
  let previous = 0;
  let unreadable = 0;
  let sampled = 0;
  for await (const found of sealedValues(stores)) {
    if (sampled >= limit) break;
    sampled += 1;
    if (!opens(box, found)) unreadable += 1;
    else if (box.keyOf(found.sealed) === 'active') active += 1;
    else previous += 1;
  }
  if (active > 0 || sampled === 0) return { ok: true, sampled, unreadable };
  if (unreadable > 0) return { problem: 'wrong_key', count: unreadable, sampled };
  return { problem: 'previous_only', count: previous, sampled };
}

/**
 * The one line start-up prints for a {@link KeyCheck} problem (no key material in it).
 */
export function describeKeyProblem(check: Exclude<KeyCheck, { ok: true }>): string {
  return check.problem === 'wrong_key'
    ? `ENCRYPTION_KEY does not open the stored secrets (${check.count} of ${check.sampled} checked open with no configured key): set ENCRYPTION_KEY back to the key they were sealed with, or, to rotate, put that key in ENCRYPTION_KEY_PREVIOUS.`
    : `Every stored secret checked (${check.count}) is still under ENCRYPTION_KEY_PREVIOUS: finish the rotation with npm run reseal before removing ENCRYPTION_KEY_PREVIOUS.`;
}
