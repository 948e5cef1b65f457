// A hand-driven epoch-ms clock for the local state stores' `now` option: time moves only when a test says so.
export interface FakeClock {
  /** The current time, epoch ms; pass it unbound as the store's `now`. */
  now: () => number;
  /** Moves the time forward by `ms`. */
  advance: (ms: number) => void;
}

export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}
