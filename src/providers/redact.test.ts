import { describe, expect, it } from 'vitest';
import { MAX_ERROR_TEXT_CHARS, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('removes a known key wherever it appears', () => {
    expect(redactSecrets('bad key my-custom-key-value here', ['my-custom-key-value'])).toBe('bad key [REDACTED] here');
  });
  it.each([
    ['Authorization: Bearer abc.def-ghi_123', 'abc.def'],
    ['Incorrect API key provided: sk-proj-AbCdEf0123456789', 'AbCdEf0123'],
    ['key sk-ant-api03-zzzzzzzzzzzzzzzz rejected', 'zzzzzzzz'],
    ['token ghp_0123456789abcdefghij0123456789abcdef leaked', '0123456789abcdefghij'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijk', '11ABCDEFG0123456789'],
    ['https://x.test/v1beta/models?key=AIzaSyD-0123456789abcdefghijklmno', '0123456789abcdefghij'],
    ['{"api_key": "plain-secret-value"}', 'plain-secret-value'],
    ['x-api-key=xyzxyzxyzxyz', 'xyzxyzxyzxyz'],
    ['gsk_0123456789abcdefABCDEF and xai-0123456789abcdefABCDEF', '0123456789abcdefABCDEF'],
    ['zc_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', '0123456789abcdef0123'],
  ])('redacts secret-shaped text in %s', (text, fragment) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(fragment);
    expect(out).toContain('[REDACTED]');
  });
  it('leaves ordinary error text alone', () => {
    const text = "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.";
    expect(redactSecrets(text)).toBe(text);
  });
  it('ignores known secrets too short to redact safely', () => {
    expect(redactSecrets('the key abc was wrong', ['abc'])).toBe('the key abc was wrong');
  });
  it('flattens control characters and caps the length after redacting', () => {
    expect(redactSecrets('line1\nline2\r\n\tend')).toBe('line1 line2 end');
    const long = `${'x'.repeat(MAX_ERROR_TEXT_CHARS - 5)} sk-abcdefghijklmnopqrstuvwxyz`;
    const out = redactSecrets(long);
    expect(out.startsWith('x'.repeat(MAX_ERROR_TEXT_CHARS - 5))).toBe(true);
    expect(out).not.toContain('sk-abc');
    expect(out.endsWith('…[truncated]')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(MAX_ERROR_TEXT_CHARS + '…[truncated]'.length);
  });
});
