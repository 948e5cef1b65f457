// config.example.toml documents every key of the schema, in its section; README's table names each section.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../../src/config/schema.js';

const example = readFileSync(new URL('../../config.example.toml', import.meta.url), 'utf8');

/** [section path, key] for every leaf key of a zod object schema (unwrapping defaults and optionals). */
function leafKeys(schema: z.ZodType, section: string[] = []): Array<[string[], string]> {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return [];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, child]) => {
    const childInner = unwrap(child);
    return childInner instanceof z.ZodObject ? leafKeys(childInner, [...section, key]) : [[section, key] as [string[], string]];
  });
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current;
}

/** The example's text under the header `[a.b]` (commented or not), up to the next header. */
function sectionText(section: string[]): string {
  if (section.length === 0) return example.slice(0, example.search(/^#? ?\[/m));
  const header = new RegExp(`^#? ?\\[${section.join('\\.')}\\]$`, 'm');
  const start = example.search(header);
  if (start === -1) return '';
  const rest = example.slice(example.indexOf('\n', start) + 1);
  const next = rest.search(/^#? ?\[/m);
  return next === -1 ? rest : rest.slice(0, next);
}

describe('config.example.toml', () => {
  it('shows every schema key in its section', () => {
    for (const [section, key] of leafKeys(configSchema)) {
      expect(sectionText(section), `${[...section, key].join('.')}`).toMatch(new RegExp(`^#? ?${key} = `, 'm'));
    }
  });
});
