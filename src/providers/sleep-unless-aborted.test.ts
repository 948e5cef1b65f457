import { describe, expect, it } from 'vitest';
import { abortReason, sleepUnlessAborted } from './sleep-unless-aborted.js';

describe('sleepUnlessAborted', () => {
  it('resolves when nothing aborts it', async () => {
    await expect(sleepUnlessAborted(1, new AbortController().signal)).resolves.toBeUndefined();
    await expect(sleepUnlessAborted(1)).resolves.toBeUndefined();
  });

  it("rejects with the signal's reason when the signal aborts during the wait", async () => {
    const controller = new AbortController();
    const reason = new Error('client gone');
    const waiting = sleepUnlessAborted(60_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const reason = new Error('deadline');
    await expect(sleepUnlessAborted(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe('abortReason', () => {
  it("answers the signal's Error reason, or an AbortError when the reason is not an Error", () => {
    const reason = new Error('stop');
    expect(abortReason(AbortSignal.abort(reason))).toBe(reason);
    const fallback = abortReason(AbortSignal.abort('not an error'));
    expect(fallback).toBeInstanceOf(DOMException);
    expect(fallback.name).toBe('AbortError');
  });
});
