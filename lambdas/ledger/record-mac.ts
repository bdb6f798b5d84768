import { createHash } from 'node:crypto';
import { GenerateMacCommand, VerifyMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { awsCall } from '../aws/aws-call-error';

/**
 * Tamper evidence for what Firebreak writes to its ledger: a MAC over a record's content, made and checked with a
 * key that only Firebreak's own roles may use. Anyone else who can write the table can change a record, but not
 * make a MAC that verifies.
 */
export interface RecordMac {
  /** The MAC of `content`, base64. */
  sign(content: string): Promise<string>;
  /** False when the MAC does not match the content (or was made with another key); throws when KMS cannot answer. */
  verify(content: string, mac: string): Promise<boolean>;
}

const MAC_ALGORITHM = 'HMAC_SHA_256';

/** KMS accepts at most 4,096 bytes to MAC; a record's pre-state can be larger, so its SHA-256 digest is MACed. */
function digest(content: string): Uint8Array {
  return createHash('sha256').update(content, 'utf8').digest();
}

/** A KMS HMAC key (key spec HMAC_256, usage GENERATE_VERIFY_MAC). */
export class KmsRecordMac implements RecordMac {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async sign(content: string): Promise<string> {
    const response = await awsCall<{ Mac?: Uint8Array }>(
      'kms:GenerateMac',
      `ledger record MAC with ${this.keyId}`,
      () =>
        this.kms.send(
          new GenerateMacCommand({ KeyId: this.keyId, MacAlgorithm: MAC_ALGORITHM, Message: digest(content) }),
        ),
    );
    if (!response.Mac) throw new Error(`kms:GenerateMac with ${this.keyId} returned no MAC`);
    return Buffer.from(response.Mac).toString('base64');
  }

  async verify(content: string, mac: string): Promise<boolean> {
    try {
      const response = await awsCall<{ MacValid?: boolean }>(
        'kms:VerifyMac',
        `ledger record MAC with ${this.keyId}`,
        () =>
          this.kms.send(
            new VerifyMacCommand({
              KeyId: this.keyId,
              MacAlgorithm: MAC_ALGORITHM,
              Message: digest(content),
              Mac: Buffer.from(mac, 'base64'),
            }),
          ),
      );
      return response.MacValid === true;
    } catch (error) {
      // KMS answers a MAC that does not verify with an error, not with MacValid false.
      if (errorName(error) === 'KMSInvalidMacException') return false;
      throw error;
    }
  }
}

function errorName(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown }).cause ?? error;
  return (cause as { name?: string }).name;
}

/** JSON with object keys in sorted order at every depth, so the same content always gives the same MAC. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
