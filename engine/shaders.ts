// WGSL sources live in shaders/*.wgsl. A file is a wgsl-preprocessor template: `${NAME}` placeholders are
// filled from a kernel's `defines`, and `#if ${FLAG}` / `#elif` / `#else` / `#endif` pick code paths.
// Node reads the folder from disk; a browser build hands the same files in with registerShaderSources().
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';

const sources = new Map<string, string>();

export function registerShaderSources(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const name = path.replace(/^.*\//, '').replace(/\.wgsl$/, '');
    sources.set(name, text);
  }
}

/** In Node, load every shaders/*.wgsl next to this package (no-op when already registered). */
export async function loadShaderSourcesFromDisk(): Promise<void> {
  if (sources.size > 0) return;
  const fsName = 'node:fs/promises';
  const pathName = 'node:path';
  const urlName = 'node:url';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
  const url = (await import(/* @vite-ignore */ urlName)) as typeof import('node:url');
  const dir = path.join(path.dirname(url.fileURLToPath(import.meta.url)), '..', 'shaders');
  const files: Record<string, string> = {};
  for (const f of await fs.readdir(dir)) {
    if (f.endsWith('.wgsl')) files[f] = await fs.readFile(path.join(dir, f), 'utf8');
  }
  registerShaderSources(files);
}

export type Defines = Record<string, string | number | boolean>;

/** Expand shaders/<name>.wgsl with the given defines. Unknown placeholders are an error, not silence. */
export function expandShader(name: string, defines: Defines = {}): string {
  const text = sources.get(name);
  if (text === undefined) {
    throw new Error(`no WGSL source named '${name}' (expected shaders/${name}.wgsl; loaded: ${[...sources.keys()].join(', ')})`);
  }
  const strings: string[] = [];
  const values: unknown[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$\{(\w+)\}/g)) {
    const key = m[1];
    if (!(key in defines)) throw new Error(`shaders/${name}.wgsl uses \${${key}} but the kernel did not define it`);
    strings.push(text.slice(last, m.index));
    values.push(defines[key]);
    last = m.index! + m[0].length;
  }
  strings.push(text.slice(last));
  const raw = Object.assign([...strings], { raw: strings }) as unknown as TemplateStringsArray;
  return wgsl(raw, ...values);
}
