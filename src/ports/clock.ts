/** The clock port: pure code never reads the time itself (STYLE.md 12). */
export interface Clock {
  /** Epoch seconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };
