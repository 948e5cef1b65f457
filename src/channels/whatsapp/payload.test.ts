import { describe, expect, it } from 'vitest';
import { parseWhatsAppPayload } from './payload.js';

const value = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'WABA', changes: [{ field: 'messages', value: { metadata: { phone_number_id: 'PN' }, messages, ...extra } }] }],
});

describe('parseWhatsAppPayload', () => {
  it('reads a text message with its sender as +<digits> and the reply address as digits', () => {
    const delivery = parseWhatsAppPayload(value([{ from: '16505551234', id: 'wamid.1', timestamp: '1', type: 'text', text: { body: 'hi' } }]));
    expect(delivery).toMatchObject({ recognised: true, statuses: 0, skipped: 0 });
    expect(delivery.messages).toEqual([
      {
        wamid: 'wamid.1',
        type: 'text',
        sender: '+16505551234',
        replyTo: { kind: 'phone', digits: '16505551234' },
        text: 'hi',
        timestamp: '1',
        phoneNumberId: 'PN',
      },
    ]);
  });

  it('falls back to from_user_id, then to the single contact, when from is missing', () => {
    const bsuid = parseWhatsAppPayload(value([{ from_user_id: 'US.1', id: 'w1', type: 'text', text: { body: 'x' } }]));
    expect(bsuid.messages[0]).toMatchObject({ sender: 'US.1', replyTo: { kind: 'bsuid', userId: 'US.1' } });
    const contact = parseWhatsAppPayload(value([{ id: 'w2', type: 'text', text: { body: 'x' } }], { contacts: [{ user_id: 'BR.7' }] }));
    expect(contact.messages[0]).toMatchObject({ sender: 'BR.7' });
    const nobody = parseWhatsAppPayload(value([{ id: 'w3', type: 'text', text: { body: 'x' } }]));
    expect(nobody).toMatchObject({ messages: [], skipped: 1 });
  });

  it('gives null text to types that are only counted, and to blank captions', () => {
    const delivery = parseWhatsAppPayload(
      value([
        { from: '1', id: 'a', type: 'audio', audio: { id: 'x', voice: true } },
        { from: '1', id: 'b', type: 'image', image: { id: 'x', caption: '   ' } },
        { from: '1', id: 'c', type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{}' } } },
        { from: '1', id: 'd', type: 'some_future_type', some_future_type: {} },
      ]),
    );
    expect(delivery.messages.map((m) => [m.type, m.text])).toEqual([
      ['audio', null],
      ['image', null],
      ['interactive', null],
      ['some_future_type', null],
    ]);
  });

  it('keeps the good messages when one is malformed, and ignores fields other than messages', () => {
    const body = value([{ id: 42 }, { from: '1', id: 'ok', type: 'text', text: { body: 'fine' } }]);
    body.entry[0]?.changes.push({ field: 'account_update', value: { messages: [{ from: '1', id: 'no', type: 'text', text: { body: 'x' } }] } } as never);
    const delivery = parseWhatsAppPayload(body);
    expect(delivery.messages.map((m) => m.wamid)).toEqual(['ok']);
    expect(delivery.skipped).toBe(1);
  });

  it('counts statuses and collects the Meta codes of failed ones', () => {
    const delivery = parseWhatsAppPayload(
      value([], { statuses: [{ id: 's1', status: 'delivered' }, { id: 's2', status: 'failed', errors: [{ code: 131026 }] }] }),
    );
    expect(delivery).toMatchObject({ statuses: 2, errorCodes: [131026], messages: [] });
  });

  it('does not recognise JSON that is not a WhatsApp Business Account webhook', () => {
    for (const json of [null, 1, 'x', [], {}, { object: 'page', entry: [] }, { object: 'whatsapp_business_account' }]) {
      expect(parseWhatsAppPayload(json).recognised).toBe(false);
    }
  });
});
