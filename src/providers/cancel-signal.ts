// What the agent and providers need of an abort signal, and a light one for the gateway's per-request deadline.
// Every AbortSignal is a CancelSignal; a Cancellation costs a fraction of an AbortController (whose EventTarget,
// with one listener added and removed, measured ~5 us here, a few percent of an authenticated /webhook).

/** The part of AbortSignal the agent, the providers and their HTTP client use. */
export interface CancelSignal {
  readonly aborted: boolean;
  /** Why it was cancelled (an Error for every signal the gateway makes); undefined until then. */
  readonly reason: unknown;
  /** Calls `listener` once, when the signal is cancelled. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A CancelSignal and its trigger in one object; listeners run once, in the order they were added. */
export class Cancellation implements CancelSignal {
  #aborted = false;
  #reason: Error | undefined;
  #listeners: Array<() => void> | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): Error | undefined {
    return this.#reason;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.#aborted) return;
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const at = listeners.indexOf(listener);
    if (at !== -1) listeners.splice(at, 1);
  }

  /** Cancels with `reason`; later calls do nothing. */
  cancel(reason: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}
