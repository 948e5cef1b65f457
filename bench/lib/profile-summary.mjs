// node bench/lib/profile-summary.mjs FILE.cpuprofile [top]: self time by function and by package, to find hot spots.
// PROFILE_INCLUSIVE=name1,name2 adds the inclusive time of the functions whose "name file" contains one of those.
import { functionLabel, readCpuProfile } from './cpu-profile.mjs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const { profile, byId, selfUs, byFunction, byPackage, busyUs } = readCpuProfile(file);
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(6)}%  ${name}`);
  }
};
show('self time by package', byPackage, 15);
show('self time by function', byFunction, top);

if (process.env.PROFILE_INCLUSIVE) {
  const patterns = process.env.PROFILE_INCLUSIVE.split(',');
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const label = functionLabel(byId.get(at).callFrame);
      if (patterns.some((p) => label.includes(p)) && !seen.has(label)) {
        seen.add(label);
        inclusive.set(label, (inclusive.get(label) ?? 0) + us);
      }
    }
  }
  console.log('\ninclusive time (% of non-idle)');
  for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / busyUs).toFixed(1).padStart(6)}%  ${name}`);
  }
}
