/**
 * Secrets at rest: AES-256-GCM from node:crypto, a fresh 96-bit IV per encryption, the full
 * 16-byte tag checked on decryption (`authTagLength: 16`: without it Node 20 accepts a truncated
 * tag, DEP0182), and additional authenticated data that binds each value to its owner and field
 * (`T.T123|astro-token`), so a value copied to another workspace's row does not decrypt.
 *
 * Format: `v1.<kid>.<iv>.<tag>.<ciphertext>`, base64url parts; `kid` names the key (the first 8
 * hex digits of its SHA-256), so rotation needs no trial decryption.
 * Source: NIST SP 800-38D, AES-GCM (https://csrc.nist.gov/pubs/sp/800/38/d/final); Slack's advice to
 * encrypt bot tokens at rest (https://docs.slack.dev/security).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** One 32-byte key with its ID. */
interface Key {
  kid: string;
  key: Buffer;
}

/** A value could not be decrypted: wrong key, tampered, or moved to another owner. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/**
 * Parses a 32-byte key written as 64 hex digits or base64 (standard or url-safe).
 * @throws {Error} when it is not exactly 32 bytes.
 */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : undefined;
  if (bytes?.length !== 32) throw new Error('must be 32 random bytes, as 64 hex digits or base64 (openssl rand -base64 32)');
  return bytes;
}

const kidOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** Encrypts with the active key; decrypts with the active or the previous one. */
export class SecretBox {
  private readonly active: Key;
  private readonly keys: Map<string, Key>;
  private readonly previousKid: string | undefined;

  /**
   * @param active the key that encrypts (ENCRYPTION_KEY).
   * @param previous a key that still decrypts during a rotation (ENCRYPTION_KEY_PREVIOUS).
   */
  constructor(active: Buffer, previous?: Buffer) {
    this.active = { kid: kidOf(active), key: active };
    this.keys = new Map([[this.active.kid, this.active]]);
    if (previous) {
      const p = { kid: kidOf(previous), key: previous };
      if (!this.keys.has(p.kid)) this.keys.set(p.kid, p);
    }
    this.previousKid = previous && kidOf(previous) !== this.active.kid ? kidOf(previous) : undefined;
  }

  /**
   * Which configured key `sealed` names (from its key ID, without decrypting): `active`
   * (ENCRYPTION_KEY), `previous` (ENCRYPTION_KEY_PREVIOUS), or `unknown` (another key, or not a
   * sealed value). A named key does not prove the value opens: {@link open} checks that.
   */
  keyOf(sealed: string): 'active' | 'previous' | 'unknown' {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return 'unknown';
    if (parts[1] === this.active.kid) return 'active';
    return parts[1] === this.previousKid ? 'previous' : 'unknown';
  }

  /** Encrypts `plaintext` bound to `aad` (owner and field). */
  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', this.active.kid, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
  }

  /**
   * Decrypts a value made by {@link seal} with the same `aad`.
   * @returns the plaintext, and whether it was sealed with an older key (re-seal it on write).
   * @throws {SecretBoxError} for an unknown key, a malformed value, a tag that is not 16 bytes,
   *   tampering, or another `aad`. Never falls back to plaintext.
   */
  open(sealed: string, aad: string): { plaintext: string; stale: boolean } {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new SecretBoxError('not a sealed value');
    const [, kid, ivText, tagText, ctText] = parts as [string, string, string, string, string];
    const key = this.keys.get(kid);
    if (!key) throw new SecretBoxError('sealed with a key that is no longer configured');
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== 12 || tag.length !== 16) throw new SecretBoxError('malformed sealed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, iv, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
      return { plaintext, stale: kid !== this.active.kid };
    } catch {
      throw new SecretBoxError('could not decrypt: tampered, or sealed for another owner');
    }
  }
}

/**
 * The additional authenticated data each kind of secret is sealed with, bound to its Slack
 * installation key: a sealed value copied to another workspace's row does not open. One
 * definition for the stores that seal and for key rotation.
 */
export const SEAL_AAD = {
  /** A Slack installation (bot token), in the `installs` namespace. */
  installation: (installationKey: string) => `${installationKey}|installation`,
  /** A workspace's Astro API token, in the `settings` namespace. */
  astroToken: (installationKey: string) => `${installationKey}|astro-token`,
} as const;
