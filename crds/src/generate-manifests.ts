// Writes crds/manifests/<plural>.nightshift.dev.yaml from the zod schemas,
// and the same files into the Helm chart's crds/ folder.
// `npm run generate -w crds`; a test fails when the committed files are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_DIRS, renderManifests } from './render-manifests.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
for (const dir of MANIFEST_DIRS) {
  mkdirSync(join(repoRoot, dir), { recursive: true });
  for (const { fileName, yaml } of renderManifests()) {
    writeFileSync(join(repoRoot, dir, fileName), yaml);
    console.log(`wrote ${dir}/${fileName}`);
  }
}
