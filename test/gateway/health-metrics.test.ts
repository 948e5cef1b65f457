// GET /health, GET /ready and GET /metrics (spec §6), including the counters the routes drive.
import { afterEach, describe, expect, it } from 'vitest';
import { JSON_CONTENT_TYPE, METRICS_DISABLED_HINT, PROMETHEUS_CONTENT_TYPE } from '../../src/gateway/messages.js';
import { llmConfig, TEST_API_KEY, useFakeLlm } from '../helpers/fake-llm.js';
import { call, pair, postJson } from '../helpers/http.js';
import { startGateway, type TestGateway } from '../helpers/start-gateway.js';

const llm = useFakeLlm();

let gw: TestGateway;
afterEach(async () => {
  await gw.close({ removeDir: true });
});

const start = async (config: Record<string, unknown> = {}) => {
  gw = await startGateway({ config: { ...llmConfig(llm), ...config } });
};

describe('GET /health', () => {
  it('has the reference shape and reports pairing', async () => {
    await start();
    const before = await call(`${gw.url}/health`);
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    expect(before.json).toMatchObject({
      status: 'ok',
      paired: false,
      runtime: { components: { gateway: 'ok', channels: 'ok', scheduler: 'ok', memory: 'ok', state: 'ok' } },
    });
    const runtime = before.json['runtime'] as { uptime_secs: number; pid: number };
    expect(Number.isInteger(runtime.uptime_secs)).toBe(true);
    expect(runtime.pid).toBe(process.pid);
    await pair(gw.url, gw.pairingCode);
    expect((await call(`${gw.url}/health`)).json['paired']).toBe(true);
  });

  it('GET /ready is 200 while dependencies are up and 503 when one is down', async () => {
    await start();
    expect((await call(`${gw.url}/ready`)).status).toBe(200);
    gw.deps.health.set('memory', 'error', 'memory check failed');
    const down = await call(`${gw.url}/ready`);
    expect(down.status).toBe(503);
    expect((await call(`${gw.url}/health`)).json).toMatchObject({ status: 'ok', runtime: { components: { memory: 'error' } } });
  });
});

describe('GET /metrics', () => {
  it('answers the exact hint line when Prometheus is off', async () => {
    await start({ observability: { backend: 'none' } });
    const answer = await call(`${gw.url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.text.trim()).toBe(METRICS_DISABLED_HINT);
  });

  it('exports zeroclaw_ metrics for everything the routes did', async () => {
    await start({ gateway: { webhook_rate_limit_per_minute: 2 } });
    const token = await pair(gw.url, gw.pairingCode);
    const auth = { authorization: `Bearer ${token}` };
    await postJson(`${gw.url}/webhook`, { message: 'one' }, { ...auth, 'x-idempotency-key': 'm-1' });
    await postJson(`${gw.url}/webhook`, { message: 'two' }, { ...auth, 'x-idempotency-key': 'm-1' });
    await postJson(`${gw.url}/webhook`, { message: 'three' }, auth);
    await call(`${gw.url}/pair`, { method: 'POST', headers: { 'x-pairing-code': '000000' } });

    const answer = await call(`${gw.url}/metrics`);
    expect(answer.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    const text = answer.text;
    const model = 'anthropic/claude-sonnet-4';
    const expectLine = (pattern: RegExp) => expect(text).toMatch(pattern);
    expectLine(/^zeroclaw_heartbeat_ticks_total [1-9]/m);
    expectLine(new RegExp(`^zeroclaw_llm_requests_total\\{provider="custom",model="${model}"\\} 1$`, 'm'));
    expectLine(new RegExp(`^zeroclaw_agent_starts_total\\{provider="custom",model="${model}"\\} 1$`, 'm'));
    expectLine(/^zeroclaw_agent_duration_seconds_count\{.*\} 1$/m);
    expectLine(/^zeroclaw_request_latency_seconds_count [1-9]/m);
    expectLine(/^zeroclaw_channel_messages_total\{channel="webhook",direction="in"\} 1$/m);
    expectLine(/^zeroclaw_rate_limit_rejections_total\{limiter="webhook"\} 1$/m);
    expectLine(/^zeroclaw_idempotency_outcomes_total\{outcome="new"\} 1$/m);
    expectLine(/^zeroclaw_idempotency_outcomes_total\{outcome="replayed"\} 1$/m);
    expectLine(/^zeroclaw_pairing_outcomes_total\{outcome="paired"\} 1$/m);
    expectLine(/^zeroclaw_pairing_outcomes_total\{outcome="invalid_code"\} 1$/m);
    expectLine(/^zeroclaw_http_requests_total\{route="\/webhook",method="POST",status="429"\} 1$/m);
    expectLine(/^# TYPE zeroclaw_tool_calls_total counter$/m);
    expectLine(/^# TYPE zeroclaw_errors_total counter$/m);
    // No secret ever becomes a label.
    expect(text).not.toContain(token);
    expect(text).not.toContain(TEST_API_KEY);
  });
});
