// Moved to kube/probes.ts, the machinery's probe server; this re-export keeps
// operator.ts working until it starts a Manager instead.
export { startProbeServer, type ProbeServerOptions } from './kube/probes.ts';
