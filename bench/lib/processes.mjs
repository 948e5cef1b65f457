// Child processes of the bench: servers that print `listening on URL`, their RSS, free ports, a private redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * CPU pinning (taskset): servers under test on one core, the load generator and its helpers (fake LLM, Redis) on
 * the other, so the two never take turns on one core and the scheduler does not move them about. null = unpinned.
 */
const pinning = { server: null, helper: null };

/** Pins servers to core `server` and helpers to core `helper` (when taskset exists and the cores do). */
export function pinCores(server, helper) {
  if (spawnSync('taskset', ['-c', String(server), 'true']).status !== 0) return false;
  pinning.server = String(server);
  pinning.helper = String(helper);
  return true;
}

/** spawn, under `taskset -c CORE` when pinning is on (taskset execs the command: the pid is the command's). */
function spawnPinned(role, command, args, options) {
  const core = pinning[role];
  return core === null ? spawn(command, args, options) : spawn('taskset', ['-c', core, command, ...args], options);
}

/**
 * Spawns `node args...` and resolves once a line matching `readyPattern` (whose group 1 is the URL) appears.
 * Output is drained continuously (a full pipe would stall the server) and the last 64 KiB kept for errors.
 */
export function startNodeProcess({ name, args, env, role = 'server', nodeFlags = [], readyPattern = /listening on (http:\/\/\S+)/, timeoutMs = 20_000 }) {
  const child = spawnPinned(role, process.execPath, [...nodeFlags, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: not listening within ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = readyPattern.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      resolve({
        name,
        child,
        pid: child.pid,
        url: match[1],
        output: () => output,
        exited,
        stop: () => stopProcess(child, exited),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited (${code}) before listening\n${output}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
export async function stopProcess(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of `pid` in MB, from /proc (Linux). */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU time (user + system) `pid` has used so far, in ms, from /proc (Linux; clock ticks of 10 ms). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: state is index 0, utime 11, stime 12 (stat(5) numbers 14 and 15).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET; resolves with the status (0 when the connection failed) and the time it took in ms. */
export function get(url, timeoutMs = 5_000) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

/** Polls GET url every `everyMs` until it answers 200; resolves with the ms since `since`. */
export async function waitFor200(url, since, { everyMs = 5, timeoutMs = 20_000 } = {}) {
  while (performance.now() - since < timeoutMs) {
    if ((await get(url, 1_000)).status === 200) return performance.now() - since;
    await sleep(everyMs);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Runs bench/load.mjs (autocannon) in its own process and answers its JSON result. */
export function runLoad(options) {
  const child = spawnPinned('helper', process.execPath, [new URL('../load.mjs', import.meta.url).pathname, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

/** A private redis-server on a free loopback port without persistence, or null when redis-server is not installed. */
export async function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  const port = await freePort();
  const child = spawnPinned('helper', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout.on('data', (d) => {
      output += d;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (d) => (output += d));
  });
  child.stdout.resume();
  child.stderr.resume();
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopProcess(child, exited) };
}
