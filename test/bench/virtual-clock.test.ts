import { VirtualClock } from '../../bench/virtual-clock';

describe('VirtualClock', () => {
  it('fires timers in order of time, then of setting, moving Date and performance.now without waiting', async () => {
    const clock = new VirtualClock(Date.parse('2026-12-03T10:00:00.000Z')).install();
    const fired: string[] = [];
    const realStart = process.hrtime.bigint();
    try {
      const work = (async () => {
        const startedAt = performance.now();
        setTimeout(() => fired.push('b'), 60_000);
        setTimeout(() => fired.push('a'), 1_000);
        setTimeout(() => fired.push('c'), 60_000);
        const cancelled = setTimeout(() => fired.push('cancelled'), 10);
        clearTimeout(cancelled);
        await new Promise((resolve) => setTimeout(resolve, 120_000));
        return { elapsed: performance.now() - startedAt, now: new Date().toISOString(), dateNow: Date.now() };
      })();
      const result = await clock.run(work);
      expect(fired).toEqual(['a', 'b', 'c']);
      expect(result).toEqual({
        elapsed: 120_000,
        now: '2026-12-03T10:02:00.000Z',
        dateNow: Date.parse('2026-12-03T10:02:00.000Z'),
      });
      expect(new Date(0).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    } finally {
      clock.uninstall();
    }
    expect(Number(process.hrtime.bigint() - realStart) / 1e6).toBeLessThan(5_000);
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1_000);
  });

  it('fails a run that waits on nothing', async () => {
    const clock = new VirtualClock().install();
    try {
      await expect(clock.run(new Promise(() => undefined))).rejects.toThrow('virtual time stalled');
    } finally {
      clock.uninstall();
    }
  });
});
