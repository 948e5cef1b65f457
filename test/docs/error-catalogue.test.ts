// The README's status table and src/gateway/errors.ts hold the same rows: every code documented, nothing extra.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../../src/gateway/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### Status codes and error bodies'), readme.indexOf('## Pairing, tokens'));
const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| (.*) \|$/gm)].map((m) => ({
  code: m[1] as string,
  status: Number(m[2]),
  text: m[3] as string,
}));

describe('error catalogue', () => {
  it('documents exactly the codes of ERRORS', () => {
    expect(rows.map((r) => r.code).sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('documents each row with its status and exact text', () => {
    for (const row of rows) {
      const entry = ERRORS[row.code as ErrorCode];
      expect(row.status, row.code).toBe(entry.status);
      if (entry.error !== null) expect(row.text, row.code).toContain(`\`${entry.error}\``);
    }
  });
});
