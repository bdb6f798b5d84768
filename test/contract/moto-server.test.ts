import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, startMoto, type MotoServer } from './support/moto-server';
import { describeOnMoto } from './support/on-moto';

const ROOT = join(__dirname, '..', '..');

describeOnMoto('the moto server of the contract suite', (moto) => {
  it('runs the moto version pinned in test/contract/requirements.txt, from .build/venv/', () => {
    const pinned = /^moto==(\S+)$/m.exec(readFileSync(join(__dirname, 'requirements.txt'), 'utf8'))?.[1];
    const running = execFileSync(
      join(ROOT, '.build', 'venv', 'bin', 'python'),
      ['-c', 'import moto; print(moto.__version__)'],
      {
        encoding: 'utf8',
      },
    ).trim();
    expect(pinned).toMatch(/^5\./);
    expect(running).toBe(pinned);
  });

  it('answers signed SDK requests on loopback with its default account', async () => {
    expect(moto().endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const sts = new STSClient({ region: MOTO_REGION, endpoint: moto().endpoint, credentials: MOTO_CREDENTIALS });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(MOTO_ACCOUNT);
  });

  it('a second server has a port of its own, and stop() closes it', async () => {
    let second: MotoServer | undefined;
    try {
      second = await startMoto();
      expect(second.endpoint).not.toBe(moto().endpoint);
    } finally {
      await second?.stop();
    }
    await expect(fetch(`${second!.endpoint}/moto-api/data.json`)).rejects.toThrow();
    await second!.stop();
  }, 60_000);
});
