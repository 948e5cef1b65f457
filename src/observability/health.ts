// Component health for GET /health and GET /ready (spec §6): a registry plus a background monitor of dependencies.

export type ComponentStatus = 'ok' | 'starting' | 'error';

interface ComponentState {
  status: ComponentStatus;
  /** ISO 8601 time of the last `set()`, formatted once there: /health is polled far more often than it changes. */
  updatedAt: string;
  lastError?: string;
  restarts: number;
}

export interface HealthSnapshot {
  status: 'ok';
  paired: boolean;
  runtime: {
    components: Record<string, ComponentStatus>;
    uptime_secs: number;
    pid: number;
    details: Record<string, { updated_at: string; last_error?: string; restart_count: number }>;
  };
}

export class HealthRegistry {
  private readonly components = new Map<string, ComponentState>();
  private readonly startedAt: number;
  private paired = false;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  /** Sets a component's status; `error` text must already be free of secrets. */
  set(name: string, status: ComponentStatus, error?: string): void {
    const previous = this.components.get(name);
    const restarts = (previous?.restarts ?? 0) + (previous?.status === 'error' && status === 'ok' ? 1 : 0);
    const state: ComponentState = { status, updatedAt: new Date(this.now()).toISOString(), restarts };
    const lastError = error ?? previous?.lastError;
    if (lastError !== undefined) state.lastError = lastError;
    this.components.set(name, state);
  }

  setPaired(paired: boolean): void {
    this.paired = paired;
  }

  /** True when no component is in error: what GET /ready answers. */
  isReady(): boolean {
    for (const state of this.components.values()) if (state.status !== 'ok') return false;
    return true;
  }

  snapshot(): HealthSnapshot {
    const components: Record<string, ComponentStatus> = {};
    const details: HealthSnapshot['runtime']['details'] = {};
    for (const [name, state] of this.components) {
      components[name] = state.status;
      details[name] = {
        updated_at: state.updatedAt,
        restart_count: state.restarts,
        ...(state.lastError !== undefined ? { last_error: state.lastError } : {}),
      };
    }
    return {
      status: 'ok',
      paired: this.paired,
      runtime: { components, uptime_secs: Math.floor((this.now() - this.startedAt) / 1000), pid: process.pid, details },
    };
  }
}

/** A dependency probed in the background: resolves true when healthy; never needs to throw. */
export type HealthCheck = () => Promise<boolean>;

/**
 * Probes each check every `intervalMs` (and once now) and records the result, so /health and /ready
 * answer from memory instead of touching Redis or a database on every probe. Returns a stop function.
 */
export function startHealthMonitor(
  registry: HealthRegistry,
  checks: Record<string, HealthCheck>,
  intervalMs: number,
): { stop: () => void; runOnce: () => Promise<void> } {
  const runOnce = async (): Promise<void> => {
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        let healthy = false;
        try {
          healthy = await check();
        } catch {
          healthy = false;
        }
        registry.set(name, healthy ? 'ok' : 'error', healthy ? undefined : `${name} check failed`);
      }),
    );
  };
  // A probe slower than the interval (a database that takes seconds to refuse) must not pile up runs.
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void runOnce().finally(() => {
      running = false;
    });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
