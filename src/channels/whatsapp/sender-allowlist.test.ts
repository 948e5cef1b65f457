import { describe, expect, it } from 'vitest';
import { createSenderAllowlist } from './sender-allowlist.js';

describe('createSenderAllowlist', () => {
  it('compares phone numbers as +<digits>, however they were written', () => {
    const allowed = createSenderAllowlist(['+1 (650) 555-1234', '447700900123']);
    expect(allowed('+16505551234')).toBe(true);
    expect(allowed('+447700900123')).toBe(true);
    expect(allowed('+16505551235')).toBe(false);
    expect(allowed('16505551234')).toBe(false);
  });

  it('allows everyone with "*" and nobody with an empty list', () => {
    expect(createSenderAllowlist(['+1', '*'])('+99999')).toBe(true);
    expect(createSenderAllowlist([])('+16505551234')).toBe(false);
  });

  it('matches a business-scoped user id exactly', () => {
    const allowed = createSenderAllowlist(['US.13491208655302741918']);
    expect(allowed('US.13491208655302741918')).toBe(true);
    expect(allowed('US.1349120865530274191')).toBe(false);
    // A BSUID entry is not read as the phone number made of its digits.
    expect(allowed('+13491208655302741918')).toBe(false);
  });
});
