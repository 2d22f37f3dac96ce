// One path for every control: audit it (pending), read the object fresh at
// the resourceVersion the person saw (409 when it moved on), decide the edit
// (edits.ts), send it as a merge patch at that version (409 again if it moved
// in between), and finish the audit with before → after and the outcome.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceType } from '@nightshift/operator/kube';
import type { Logger } from 'pino';
import { ApiError } from '../api/problem.ts';
import type { TokenIdentity } from '../auth/tokens.ts';
import type { ClusterWriter } from '../cluster/writer.ts';
import type { AuditLog } from '../records/audit.ts';
import { UNCHANGED, type EditResult } from './edits.ts';

interface Parser<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: { message: string; path: PropertyKey[] }[] } };
}

export interface ControlRequest<T> {
  identity: TokenIdentity;
  action: string;
  type: ResourceType;
  schema: Parser<T>;
  namespace: string;
  name: string;
  resourceVersion: string;
  request: unknown;
  decide: (object: T) => EditResult | Promise<EditResult>;
}

export interface ControlOutcome {
  result: 'applied' | 'unchanged';
  object: KubernetesObject;
  before: unknown;
  after: unknown;
}

export class Controls {
  private readonly writer: ClusterWriter;
  private readonly audit: AuditLog;
  private readonly logger: Logger;

  constructor(deps: { writer: ClusterWriter; audit: AuditLog; logger: Logger }) {
    this.writer = deps.writer;
    this.audit = deps.audit;
    this.logger = deps.logger;
  }

  async apply<T>(control: ControlRequest<T>): Promise<ControlOutcome> {
    const { identity, action, type, namespace, name, resourceVersion } = control;
    const auditId = await this.audit.start({
      tokenId: identity.id,
      tokenName: identity.name,
      action,
      kind: type.kind,
      namespace,
      name,
      request: control.request,
    });
    let before: unknown;
    try {
      const fresh = await this.writer.readAt(type, namespace, name, resourceVersion);
      const parsed = control.schema.safeParse(fresh);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ApiError(
          409,
          `${type.kind} ${namespace}/${name} does not match its schema (${issue?.path.join('.')}: ${issue?.message}); fix it with kubectl`,
        );
      }
      const edit = await control.decide(parsed.data);
      if (edit === UNCHANGED) {
        await this.audit.finish(auditId, { outcome: 'applied', status: 200, error: 'unchanged: already as asked' });
        return { result: 'unchanged', object: fresh, before: undefined, after: undefined };
      }
      before = edit.before;
      const object = await this.writer.patch(type, namespace, name, resourceVersion, edit.patch);
      await this.audit.finish(auditId, { outcome: 'applied', status: 200, before: edit.before, after: edit.after });
      this.logger.info(
        { action, object: `${namespace}/${name}`, token: identity.name, before: edit.before, after: edit.after },
        `control ${action} applied`,
      );
      return { result: 'applied', object, before: edit.before, after: edit.after };
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 500;
      const outcome = status === 409 ? 'conflict' : status >= 500 ? 'failed' : 'rejected';
      await this.audit
        .finish(auditId, { outcome, status, before, error: (error as Error).message })
        .catch((e: unknown) => this.logger.error({ err: e }, 'failed to finish an audit record'));
      throw error;
    }
  }

  /** A new object (a StoryRun from the form), audited like an edit. */
  async create(
    identity: TokenIdentity,
    type: ResourceType,
    namespace: string,
    object: KubernetesObject,
  ): Promise<KubernetesObject> {
    const name = object.metadata?.name ?? null;
    const auditId = await this.audit.start({
      tokenId: identity.id,
      tokenName: identity.name,
      action: 'create',
      kind: type.kind,
      namespace,
      name,
      request: object,
    });
    try {
      const created = await this.writer.create(type, namespace, object);
      await this.audit.finish(auditId, {
        outcome: 'applied',
        status: 201,
        before: null,
        after: { spec: (created as { spec?: unknown }).spec },
      });
      this.logger.info({ object: `${namespace}/${name}`, token: identity.name }, `created ${type.kind}`);
      return created;
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 500;
      await this.audit
        .finish(auditId, {
          outcome: status === 409 ? 'conflict' : status >= 500 ? 'failed' : 'rejected',
          status,
          error: (error as Error).message,
        })
        .catch((e: unknown) => this.logger.error({ err: e }, 'failed to finish an audit record'));
      throw error;
    }
  }
}
