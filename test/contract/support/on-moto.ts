import { emulatorProblem, startMoto, type MotoServer } from './moto-server';

/** Starting the server may first install the pinned moto into .build/venv/ (about 40 s with a warm pip cache). */
const START_TIMEOUT_MS = 10 * 60_000;

/**
 * `describe`, with a moto server of its own started before the first test and stopped after the last (also when a
 * test fails). Where the emulator cannot run (no python3): skipped, the reason printed once by
 * test/contract/support/global-setup.cjs; under CI (`CI=true`) one failing test names the reason instead.
 */
export function describeOnMoto(name: string, body: (moto: () => MotoServer) => void): void {
  const problem = emulatorProblem();
  if (problem && process.env.CI === 'true') {
    describe(name, () => {
      it('has its AWS emulator (CI never skips the contract suite)', () => {
        throw new Error(`Firebreak: the contract suite cannot run its AWS emulator: ${problem}`);
      });
    });
    return;
  }
  if (problem) {
    describe.skip(name, () => body(() => unavailable(problem)));
    return;
  }
  describe(name, () => {
    let server: MotoServer | undefined;
    beforeAll(async () => {
      server = await startMoto();
    }, START_TIMEOUT_MS);
    afterAll(async () => {
      await server?.stop();
    });
    body(() => server ?? unavailable('the moto server did not start (see the beforeAll error)'));
  });
}

function unavailable(reason: string): never {
  throw new Error(`Firebreak: ${reason}`);
}
