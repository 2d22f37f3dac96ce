// Writes crds/manifests/<plural>.nightshift.dev.yaml from the zod schemas.
// `npm run generate -w crds`; a test fails when the committed files are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderManifests } from './render-manifests.ts';

const manifestsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifests');
mkdirSync(manifestsDir, { recursive: true });
for (const { fileName, yaml } of renderManifests()) {
  writeFileSync(join(manifestsDir, fileName), yaml);
  console.log(`wrote crds/manifests/${fileName}`);
}
