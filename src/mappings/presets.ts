import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MappingSample } from './mapping.ts';
import type { SignatureScheme } from './signature.ts';

/** The ready mappings shipped in mappings/<name>/ (mapping.jsonata, samples/*.json, README.md). */
export const PRESETS_DIR = join(import.meta.dirname, '..', '..', 'mappings');

export interface Preset {
  readonly name: string;
  readonly description: string;
  readonly expression: string;
  readonly samples: MappingSample[];
  /** How the shop this preset is for signs its webhooks. */
  readonly signature: Omit<SignatureScheme, 'prefix'> & { readonly prefix?: string };
}

export function presetNames(): string[] {
  if (!existsSync(PRESETS_DIR)) return [];
  return readdirSync(PRESETS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(PRESETS_DIR, entry.name, 'mapping.jsonata')))
    .map((entry) => entry.name)
    .sort();
}

/** A shipped mapping with its samples (files sorted by name: the order they are applied in). */
export function loadPreset(name: string): Preset | null {
  if (!presetNames().includes(name)) return null;
  const dir = join(PRESETS_DIR, name);
  const samplesDir = join(dir, 'samples');
  const samples = readdirSync(samplesDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const sample = JSON.parse(readFileSync(join(samplesDir, file), 'utf8')) as Omit<MappingSample, 'name'>;
      return { name: file.replace(/\.json$/, ''), ...sample };
    });
  const config = JSON.parse(readFileSync(join(dir, 'signature.json'), 'utf8')) as Preset['signature'];
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const description = /^#\s+(.*)$/m.exec(readme)?.[1]?.trim() ?? name;
  return { name, description, expression: readFileSync(join(dir, 'mapping.jsonata'), 'utf8'), samples, signature: config };
}
