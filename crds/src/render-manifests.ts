import { stringify } from 'yaml';
import { crdManifest } from './crd-manifest.ts';
import { GROUP, KINDS } from './definitions.ts';

/** Where the generated CRDs live, relative to the repository root. */
export const MANIFEST_DIRS = ['crds/manifests', 'charts/nightshift/crds'];

const HEADER = '# Generated from crds/src by `npm run generate -w crds`. Do not edit.\n';

export function renderManifests(): { fileName: string; yaml: string }[] {
  return KINDS.map((def) => ({
    fileName: `${def.plural}.${GROUP}.yaml`,
    yaml: HEADER + stringify(crdManifest(def), { lineWidth: 0 }),
  }));
}
