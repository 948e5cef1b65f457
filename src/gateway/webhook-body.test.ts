import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.js';
import { parseWebhookBody } from './webhook-body.js';

const JSON_TYPE = 'application/json';
const body = (text: string): Buffer => Buffer.from(text, 'utf8');
const refusal = (contentType: string | undefined, raw: unknown): unknown => {
  try {
    parseWebhookBody(contentType, raw);
  } catch (err) {
    return err instanceof GatewayError ? err.code : err;
  }
  return 'accepted';
};

describe('parseWebhookBody', () => {
  it('answers the message of an object with a string message, other fields ignored', () => {
    expect(parseWebhookBody(JSON_TYPE, body('{"message":"hi"}'))).toBe('hi');
    expect(parseWebhookBody('Application/JSON; charset=utf-8', body('{"message":"","extra":[1]}'))).toBe('');
    expect(parseWebhookBody(JSON_TYPE, body('{"message":"caf\\u00e9 ✓"}'))).toBe('café ✓');
  });

  it.each([
    ['an array', '[{"message":"hi"}]'],
    ['null', 'null'],
    ['a string', '"hi"'],
    ['a number message', '{"message":42}'],
    ['a null message', '{"message":null}'],
    ['no message', '{"text":"hi"}'],
    ['a message only under __proto__', '{"__proto__":{"message":"hi"}}'],
    ['broken JSON', '{"message":'],
  ])('refuses %s with INVALID_JSON_BODY', (_name, text) => {
    expect(refusal(JSON_TYPE, body(text))).toBe('INVALID_JSON_BODY');
  });

  it('refuses a missing or non-JSON content type', () => {
    expect(refusal(undefined, body('{"message":"hi"}'))).toBe('INVALID_JSON_BODY');
    expect(refusal('text/plain', body('{"message":"hi"}'))).toBe('INVALID_JSON_BODY');
    expect(refusal('application/jsonx', body('{"message":"hi"}'))).toBe('INVALID_JSON_BODY');
  });
});
