// The operator's controller machinery, in the spirit of controller-runtime:
// a manager over shared informers, a keyed work queue, the controller loop,
// leader election, probes, and helpers for status, conditions, events,
// finalizers and owners. It knows Kubernetes, not stories.
export { ExponentialRateLimiter, backoffDelay, type BackoffOptions, type RateLimiter } from './backoff.ts';
export { systemClock, sleep, type Clock } from './clock.ts';
export {
  findCondition,
  isConditionTrue,
  kubeTime,
  removeCondition,
  setCondition,
  type Condition,
  type ConditionStatus,
  type ConditionUpdate,
} from './conditions.ts';
export {
  Controller,
  type ControllerOptions,
  type Reconcile,
  type ReconcileResult,
  type WatchSource,
} from './controller.ts';
export { errorMessage } from './errors.ts';
export { EventRecorder, type EventInput, type EventRecorderOptions, type EventType } from './events.ts';
export { addFinalizer, hasFinalizer, removeFinalizer } from './finalizers.ts';
export {
  createInformer,
  SupervisedInformer,
  type Informer,
  type InformerEvent,
  type InformerEventType,
  type InformerHandler,
  type InformerHealth,
  type InformerOptions,
} from './informer.ts';
export {
  informerHealth,
  type HealthThresholds,
  type InformerReadout,
  type InformerVerdict,
} from './informer-health.ts';
export { keyOf, objectKey, parseKey, type ObjectName } from './keys.ts';
export { LeaderElector, type LeaderElectionOptions, type StoppedLeadingReason } from './leader-election.ts';
export {
  Manager,
  type InformerSelectors,
  type InformerTuning,
  type ManagerLeaderElection,
  type ManagerOptions,
  type ReadinessCheck,
  type Runnable,
} from './manager.ts';
export { machineryMetrics, type MachineryMetrics } from './metrics.ts';
export { MultiNamespaceInformer } from './multi-namespace-informer.ts';
export { controllerOf, isControlledBy, keysFromController, keysFromLabel, ownerReference } from './owners.ts';
export {
  apiVersionOf,
  persistentVolumeClaimResource,
  podResource,
  resourceName,
  resourcePath,
  type ResourceType,
} from './resource.ts';
export {
  isConflict,
  isNotFound,
  RestClient,
  statusCode,
  type JsonPatchOperation,
  type RequestOptions,
  type RestClientOptions,
} from './rest.ts';
export {
  PROBE_PATHS,
  startProbeServer,
  type JsonHandler,
  type ProbeServer,
  type ProbeServerOptions,
} from './probes.ts';
export { isStaleWrite, statusEqual, writeStatus } from './status.ts';
export { WorkQueue, type AddOptions, type ProcessKey, type WorkQueueOptions } from './work-queue.ts';
export { reuseConnections } from './connections.ts';
