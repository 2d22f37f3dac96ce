// The nightshift.dev API: schemas, types and resource names for every workspace.
export * from './meta.ts';
export * from './storyrun.ts';
export * from './workqueue.ts';
export * from './budget.ts';
export { KINDS, CATEGORY, type KindDefinition } from './definitions.ts';
export { crdManifest } from './crd-manifest.ts';
