import { describe, expect, it } from 'vitest';
import { Cancellation } from './cancel-signal.js';

describe('Cancellation', () => {
  it('calls each listener once, in order, with the reason readable', () => {
    const cancellation = new Cancellation();
    const calls: string[] = [];
    cancellation.addEventListener('abort', () => calls.push(`a:${String((cancellation.reason as Error).message)}`));
    cancellation.addEventListener('abort', () => calls.push('b'));
    expect(cancellation.aborted).toBe(false);
    expect(cancellation.reason).toBeUndefined();
    cancellation.cancel(new Error('timed out'));
    cancellation.cancel(new Error('again'));
    expect(cancellation.aborted).toBe(true);
    expect(calls).toEqual(['a:timed out', 'b']);
    expect((cancellation.reason as Error).message).toBe('timed out');
  });

  it('does not call a removed listener, nor one added after the cancel', () => {
    const cancellation = new Cancellation();
    let removed = 0;
    let kept = 0;
    const remove = (): void => void removed++;
    cancellation.addEventListener('abort', remove);
    cancellation.addEventListener('abort', () => void kept++);
    cancellation.removeEventListener('abort', remove);
    cancellation.cancel(new Error('x'));
    let late = 0;
    cancellation.addEventListener('abort', () => void late++);
    expect({ removed, kept, late }).toEqual({ removed: 0, kept: 1, late: 0 });
  });
});
