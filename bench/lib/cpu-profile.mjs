// Reading a .cpuprofile (node --cpu-prof): self time per sampled node, and its names by function and by package.
import { readFileSync } from 'node:fs';

/** "name file:line" of a profile node, with node_modules/ and dist/ prefixes cut for reading. */
export function functionLabel({ functionName, url, lineNumber }) {
  const where = url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/');
  return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
}

/** The package a node's code belongs to: an npm package, 'node core', 'clawgate' (dist/), or V8's own entries. */
export function packageLabel({ functionName, url }) {
  if (url === '') return functionName; // (idle), (garbage collector), (program), native functions
  if (url.startsWith('node:')) return 'node core';
  return /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/dist/') ? 'clawgate' : url);
}

/**
 * The profile with `selfUs` (sampled microseconds per node id), `byFunction` and `byPackage` (self microseconds per
 * label) and `busyUs` (everything but idle).
 */
export function readCpuProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byPackage = new Map();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const fn = functionLabel(frame);
    const pkg = packageLabel(frame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    if (pkg !== '(idle)') busyUs += us;
  }
  return { profile, byId, selfUs, byFunction, byPackage, busyUs };
}
