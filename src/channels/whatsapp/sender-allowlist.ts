// Who may talk to the agent over WhatsApp: `allowed_numbers`, `+`-normalised, "*" for everyone, [] for nobody (spec §5).
import { normalisePhoneDigits } from './payload.js';

/** A business-scoped user id: two-letter country, a dot, then letters/digits (and dots, for a parent `US.ENT.…`). */
const BSUID_PATTERN = /^[A-Z]{2}\.[A-Za-z0-9.]+$/;

/** Answers whether a sender (`+<digits>` or a BSUID, as the payload parser gives it) may be answered. */
export type SenderAllowlist = (sender: string) => boolean;

/**
 * Builds the check from the configured entries. Phone numbers are compared as `+<digits>`, however they were
 * written (`+1 650-555-1234`, `16505551234`); a BSUID entry matches that BSUID exactly; "*" allows everyone.
 */
export function createSenderAllowlist(entries: readonly string[]): SenderAllowlist {
  const allowed = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '*') return () => true;
    if (BSUID_PATTERN.test(entry)) {
      allowed.add(entry);
      continue;
    }
    const digits = normalisePhoneDigits(entry);
    if (digits !== '') allowed.add(`+${digits}`);
  }
  return (sender) => allowed.has(sender);
}
