// sendError keeps each JSON row's body text instead of rendering it per answer: it must still send exactly what
// renderError describes, for every row of ERRORS, with and without parameters, and the second time as the first.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../test/helpers/http.js';
import { sendError } from './error-handler.js';
import { ERRORS, renderError, type ErrorCode, type ErrorParams } from './errors.js';
import { JSON_CONTENT_TYPE } from './messages.js';

const CODES = Object.keys(ERRORS) as ErrorCode[];
const WITH_PARAMS: ErrorParams = { retryAfterSecs: 7, headers: { allow: 'GET, POST', ratelimit: '"webhook";r=0;t=7' } };

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = Fastify();
  app.get('/:code', async (request, reply) => {
    const { code } = request.params as { code: ErrorCode };
    const withParams = (request.query as { params?: string }).params === '1';
    return withParams ? sendError(reply, code, WITH_PARAMS) : sendError(reply, code);
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
});

describe('sendError', () => {
  it.each(CODES.flatMap((code) => [[code, false] as const, [code, true] as const]))(
    'answers %s (params: %s) exactly as renderError describes it, every time',
    async (code, withParams) => {
      const expected = withParams ? renderError(code, WITH_PARAMS) : renderError(code);
      for (let i = 0; i < 2; i++) {
        const answer = await call(`${base}/${code}${withParams ? '?params=1' : ''}`);
        expect(answer.status).toBe(expected.status);
        for (const [name, value] of Object.entries(expected.headers)) expect(answer.headers.get(name)).toBe(value);
        if (expected.body === null) {
          expect(answer.text).toBe('');
        } else if (typeof expected.body === 'string') {
          expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
          expect(answer.text).toBe(expected.body);
        } else {
          expect(answer.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
          expect(answer.json).toEqual(expected.body);
        }
      }
    },
  );
});
