// Waiting a CancelSignal can cut short: the Error a signal aborted with, and a timer that rejects with it.
import type { CancelSignal } from './cancel-signal.js';

/** The signal's reason as an Error, so callers can rethrow it (an AbortError DOMException when there is none). */
export function abortReason(signal: CancelSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

/** setTimeout as a promise that rejects with the signal's reason when it aborts first (or has already aborted). */
export function sleepUnlessAborted(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as CancelSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
