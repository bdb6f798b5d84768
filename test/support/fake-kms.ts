import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  GenerateMacCommand,
  KMSClient,
  KMSInvalidMacException,
  NotFoundException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { KmsRecordMac } from '../../lambdas/ledger/record-mac';

export const MAC_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/0b6d0d6c-1111-4a2e-9a63-5f0c4a3d2b1a';

/**
 * KMS HMAC keys as KMS behaves: GenerateMac and VerifyMac with HMAC_SHA_256 over at most 4,096 bytes; a MAC that
 * does not verify is the error KMSInvalidMacException (not MacValid false); an unknown key is NotFoundException.
 * Each key's secret is random, as an HMAC key's material never leaves KMS.
 */
export class FakeKms {
  readonly client = new KMSClient({ region: 'us-east-1' });
  readonly mock: AwsClientStub<KMSClient>;
  readonly calls: string[] = [];
  /** While set, every GenerateMac fails with it (the key unavailable); VerifyMac still answers. */
  generateMacFailure: Error | undefined;
  private readonly keys = new Map<string, Buffer>();

  constructor(keyArns: readonly string[] = [MAC_KEY_ARN]) {
    for (const arn of keyArns) this.keys.set(arn, randomBytes(32));
    this.mock = mockClient(this.client);
    this.mock
      .on(GenerateMacCommand)
      .callsFake((input: { KeyId?: string; Message?: Uint8Array; MacAlgorithm?: string }) => {
        this.calls.push('GenerateMac');
        if (this.generateMacFailure) throw this.generateMacFailure;
        return { KeyId: input.KeyId, MacAlgorithm: input.MacAlgorithm, Mac: this.hmac(input) };
      });
    this.mock
      .on(VerifyMacCommand)
      .callsFake((input: { KeyId?: string; Message?: Uint8Array; MacAlgorithm?: string; Mac?: Uint8Array }) => {
        this.calls.push('VerifyMac');
        const expected = this.hmac(input);
        const given = Buffer.from(input.Mac ?? new Uint8Array());
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new KMSInvalidMacException({
            message: 'The request was rejected because the HMAC verification failed.',
            $metadata: {},
          });
        }
        return { KeyId: input.KeyId, MacAlgorithm: input.MacAlgorithm, MacValid: true };
      });
  }

  /** The record MAC the engine uses, on this fake. */
  recordMac(keyArn: string = MAC_KEY_ARN): KmsRecordMac {
    return new KmsRecordMac(this.client, keyArn);
  }

  private hmac(input: { KeyId?: string; Message?: Uint8Array; MacAlgorithm?: string }): Buffer {
    const secret = this.keys.get(input.KeyId ?? '');
    if (!secret) throw new NotFoundException({ message: `Key '${input.KeyId}' does not exist`, $metadata: {} });
    if (input.MacAlgorithm !== 'HMAC_SHA_256')
      throw new Error(`fake KMS: MacAlgorithm ${input.MacAlgorithm} is not valid for an HMAC_256 key`);
    const message = Buffer.from(input.Message ?? new Uint8Array());
    if (message.length < 1 || message.length > 4096)
      throw new Error(`fake KMS: Message must be 1 to 4096 bytes, got ${message.length}`);
    return createHmac('sha256', secret).update(message).digest();
  }
}
