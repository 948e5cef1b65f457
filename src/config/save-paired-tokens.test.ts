import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/start-gateway.js';
import { removeStaleTempFiles, replacePairedTokens, savePairedTokens } from './save-paired-tokens.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('replacePairedTokens', () => {
  it('replaces a multi-line array with comments and brackets inside strings, keeping the rest byte for byte', () => {
    const text = [
      '# top comment',
      '[gateway]',
      'port = 3000 # the port',
      'paired_tokens = [ # old ones',
      `  "${A}", # first ]`,
      '  "x]y",',
      '] # trailing',
      'host = "127.0.0.1"',
      '[memory]',
      'paired_tokens_note = "not this one"',
    ].join('\n');
    const next = replacePairedTokens(text, [B]);
    expect(next).toContain('# top comment\n[gateway]\nport = 3000 # the port\npaired_tokens = [');
    expect(next).toContain(' # trailing\nhost = "127.0.0.1"\n[memory]\npaired_tokens_note = "not this one"');
    expect((parse(next) as { gateway: { paired_tokens: string[] } }).gateway.paired_tokens).toEqual([B]);
  });

  it('inserts the key under [gateway] when absent, and appends a [gateway] table when there is none', () => {
    const withTable = replacePairedTokens('[gateway]\n# port = 3000\n[memory]\nbackend = "none"\n', [A]);
    expect((parse(withTable) as { gateway: { paired_tokens: string[] } }).gateway.paired_tokens).toEqual([A]);
    expect(withTable).toContain('# port = 3000');
    const without = replacePairedTokens('# just a comment\napi_key = "k"', [A]);
    expect(parse(without)).toMatchObject({ api_key: 'k', gateway: { paired_tokens: [A] } });
  });

  it('does not mistake a commented-out key for the real one', () => {
    const next = replacePairedTokens('[gateway]\n# paired_tokens = []\n', [A]);
    expect(next).toContain('# paired_tokens = []');
    expect((parse(next) as { gateway: { paired_tokens: string[] } }).gateway.paired_tokens).toEqual([A]);
  });
});

describe('savePairedTokens', () => {
  it('adds and removes hashes atomically, leaving no temp file and mode 0600', async () => {
    const dir = makeTempDir();
    const file = join(dir, 'config.toml');
    writeFileSync(file, '# keep me\n[gateway]\nport = 3000\n');
    expect(await savePairedTokens(file, { add: [A] })).toEqual([A]);
    expect(await savePairedTokens(file, { add: [B] })).toEqual([A, B]);
    expect(await savePairedTokens(file, { remove: [A] })).toEqual([B]);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# keep me\n[gateway]\n')).toBe(true);
    expect(readdirSync(dir)).toEqual(['config.toml']);
  });

  it('serialises concurrent saves so none is lost', async () => {
    const file = join(makeTempDir(), 'config.toml');
    writeFileSync(file, '[gateway]\n');
    const hashes = Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(64, '0'));
    await Promise.all(hashes.map((h) => savePairedTokens(file, { add: [h] })));
    const stored = (parse(readFileSync(file, 'utf8')) as { gateway: { paired_tokens: string[] } }).gateway.paired_tokens;
    expect([...stored].sort()).toEqual([...hashes].sort());
  });

  it('refuses, leaving the file untouched, when the edit would change other keys', async () => {
    const file = join(makeTempDir(), 'config.toml');
    const original = 'gateway = { port = 3000 }\n';
    writeFileSync(file, original);
    await expect(savePairedTokens(file, { add: [A] })).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes temp files of dead processes only, and nothing else', () => {
    const dir = makeTempDir();
    const file = join(dir, 'config.toml');
    writeFileSync(file, '[gateway]\n');
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const stale = `.config.toml.${deadPid}.0a1b2c3d.tmp`;
    const live = `.config.toml.${process.pid}.0a1b2c3d.tmp`;
    for (const name of [stale, live, 'other.tmp', '.config.toml.bak']) writeFileSync(join(dir, name), 'x');
    expect(removeStaleTempFiles(file)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['.config.toml.bak', live, 'config.toml', 'other.tmp'].sort());
  });
});
