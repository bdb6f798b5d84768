interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
  readonly repeatMs?: number;
}

/** What setTimeout returns here: enough of Node's Timeout for code that unrefs or refreshes its timers. */
class VirtualTimeout {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  refresh(): this {
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

/**
 * Virtual time for the burst: while installed, setTimeout, setInterval, Date and performance.now follow a clock that
 * moves only when everything else is waiting. `run` lets the microtasks settle, then jumps to the earliest timer and
 * fires it, until the promise it drives settles. A minute of Lambda retry delay or of token-bucket refill then costs
 * no real time, and CPU time (which a shared machine would stretch) costs no virtual time: what the bench measures is
 * the time the latencies, backoffs and buckets impose.
 */
export class VirtualClock {
  /** Milliseconds since the epoch, as Date.now() reads while installed. */
  now: number;
  private readonly timers: Timer[] = [];
  private nextId = 1;
  private restore: (() => void) | undefined;
  private readonly realSetImmediate = setImmediate;
  private readonly realSetTimeout = setTimeout;

  constructor(startMs: number = Date.now()) {
    this.now = startMs;
  }

  install(): this {
    if (this.restore) throw new Error('bench: the virtual clock is already installed');
    const saved = {
      setTimeout: globalThis.setTimeout,
      clearTimeout: globalThis.clearTimeout,
      setInterval: globalThis.setInterval,
      clearInterval: globalThis.clearInterval,
      Date: globalThis.Date,
    };
    const performanceNow = Object.getOwnPropertyDescriptor(performance, 'now');
    const origin = this.now - performance.now();
    const schedule = (callback: (...args: unknown[]) => void, ms: unknown, args: unknown[], repeat: boolean) => {
      const delay = Math.max(0, Number(ms) || 0);
      const id = this.nextId++;
      this.add({
        id,
        at: this.now + delay,
        callback: () => callback(...args),
        ...(repeat ? { repeatMs: Math.max(1, delay) } : {}),
      });
      return new VirtualTimeout(id);
    };
    const cancel = (timer: unknown) => {
      const id = timer instanceof VirtualTimeout ? timer.id : Number(timer);
      const index = this.timers.findIndex((candidate) => candidate.id === id);
      if (index >= 0) this.timers.splice(index, 1);
    };
    Object.assign(globalThis, {
      setTimeout: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
        schedule(callback, ms, args, false),
      setInterval: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
        schedule(callback, ms, args, true),
      clearTimeout: cancel,
      clearInterval: cancel,
      Date: virtualDate(saved.Date, () => this.now),
    });
    Object.defineProperty(performance, 'now', { value: () => this.now - origin, configurable: true, writable: true });
    this.restore = () => {
      Object.assign(globalThis, saved);
      if (performanceNow) Object.defineProperty(performance, 'now', performanceNow);
      else Reflect.deleteProperty(performance, 'now');
    };
    return this;
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** Drives the clock until `work` settles; fails if everything waits on nothing. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    let idleTurns = 0;
    while (!settled) {
      await new Promise((resolve) => this.realSetImmediate(resolve));
      if (settled) break;
      // Real I/O in flight (the SDK reads its shared config files on a client's first call): wait for it in real
      // time, or the clock would jump past it.
      if (realRequestsInFlight()) {
        await new Promise((resolve) => this.realSetTimeout(resolve, 1));
        continue;
      }
      const timer = this.timers.shift();
      if (!timer) {
        // Something may still be on a real queue (I/O); give it a few turns before calling it stalled.
        if ((idleTurns += 1) > 100) throw new Error('bench: virtual time stalled: the run waits, and no timer is set');
        continue;
      }
      idleTurns = 0;
      this.now = Math.max(this.now, timer.at);
      if (timer.repeatMs !== undefined) this.add({ ...timer, at: this.now + timer.repeatMs });
      timer.callback();
    }
    return work;
  }

  /** Timers in firing order: by time, then in the order they were set. */
  private add(timer: Timer): void {
    let index = this.timers.length;
    while (index > 0 && this.timers[index - 1]!.at > timer.at) index -= 1;
    this.timers.splice(index, 0, timer);
  }
}

/** File system and DNS requests (and connections) Node has in flight. */
function realRequestsInFlight(): boolean {
  return process
    .getActiveResourcesInfo()
    .some((name) => /^(FSReq|FileHandle|GetAddrInfo|GetNameInfo|TCPConnect)/.test(name));
}

/** A Date whose no-argument form and Date.now() read `now`; every other use is the real Date's. */
function virtualDate(RealDate: DateConstructor, now: () => number): DateConstructor {
  function VirtualDate(this: unknown, ...args: unknown[]): Date | string {
    if (!new.target) return new RealDate(now()).toString();
    return args.length === 0 ? new RealDate(now()) : Reflect.construct(RealDate, args);
  }
  VirtualDate.prototype = RealDate.prototype;
  VirtualDate.now = now;
  VirtualDate.parse = RealDate.parse;
  VirtualDate.UTC = RealDate.UTC;
  return VirtualDate as unknown as DateConstructor;
}
