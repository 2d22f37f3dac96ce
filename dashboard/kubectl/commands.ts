// kubectl nightshift: the dashboard's controls from a terminal. Each command
// is a read, or a spec patch decided by the same pure edits the dashboard
// uses (../server/src/controls/edits.ts) and sent at the resourceVersion it
// read, so kubectl, the plugin and the dashboard always show one truth.
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { storyRunSchema, type StoryRun } from '@nightshift/crds';
import { RESOURCES } from '@nightshift/crds/contract';
import { RestClient, isNotFound, resourcePath } from '@nightshift/operator/kube';
import { ApiError } from '../server/src/api/problem.ts';
import { ClusterWriter } from '../server/src/cluster/writer.ts';
import {
  abortStory,
  answerDecisions,
  pauseStory,
  reprioritizeStory,
  resumeStory,
  UNCHANGED,
  type EditResult,
} from '../server/src/controls/edits.ts';
import { storyTable } from './table.ts';

export const USAGE = `kubectl nightshift — steer Nightshift stories (StoryRuns)

Usage:
  kubectl nightshift get [-n NS | -A]                 stories with phase, step, cost, decision and PR
  kubectl nightshift pause STORY [--immediate]        stop after the current step (or now)
  kubectl nightshift resume STORY                     go on from the checkpoint
  kubectl nightshift abort STORY [--keep-work]        end it for good (--keep-work pushes the WIP branch)
  kubectl nightshift decide STORY [CHOICE] [--comment TEXT]
                                                      answer the waiting question (without CHOICE: show it)
  kubectl nightshift queue move-to-front STORY        admit it next within its priority
  kubectl nightshift queue skip|unskip STORY          keep it queued, or let it be admitted again

Options:
  -n, --namespace NS      the namespace (default: the kubeconfig context's)
  -A, --all-namespaces    get: every namespace
      --kubeconfig FILE   (default: $KUBECONFIG or ~/.kube/config)
`;

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs one command; resolves to the exit code (0 done, 1 refused or failed, 2 usage). */
export async function run(argv: readonly string[], io: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A', default: false },
        kubeconfig: { type: 'string' },
        immediate: { type: 'boolean', default: false },
        'keep-work': { type: 'boolean', default: false },
        comment: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const kc = new k8s.KubeConfig();
  if (values.kubeconfig) kc.loadFromFile(values.kubeconfig);
  else kc.loadFromDefault();
  const namespace = values.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const client = new RestClient(kc, { fieldManager: 'kubectl-nightshift' });
  const stories = new Stories(client, namespace);
  const [command, ...rest] = positionals;
  const usage = (why: string) => {
    io.err(`${why}\n\n${USAGE}`);
    return 2;
  };
  try {
    switch (command) {
      case 'get': {
        const list = await stories.list(values['all-namespaces']);
        if (list.length === 0) io.out(`No stories in ${values['all-namespaces'] ? 'any namespace' : namespace}.`);
        else io.out(storyTable(list, { allNamespaces: values['all-namespaces'] }));
        return 0;
      }
      case 'pause':
      case 'resume':
      case 'abort': {
        if (rest.length !== 1) return usage(`${command} takes one story name`);
        const mode = values.immediate ? 'Immediate' : 'Graceful';
        const outcome = await stories.edit(rest[0]!, (sr) =>
          command === 'pause'
            ? pauseStory(sr, { mode })
            : command === 'resume'
              ? resumeStory(sr)
              : abortStory(sr, { keepWork: values['keep-work'] }),
        );
        const done = { pause: `paused (${mode})`, resume: 'resumed', abort: 'aborted' }[command];
        io.out(`storyrun/${rest[0]} ${outcome === 'unchanged' ? `already ${done}` : done}`);
        return 0;
      }
      case 'decide': {
        if (rest.length < 1 || rest.length > 2) return usage('decide takes a story name and, to answer, a choice');
        const sr = await stories.get(rest[0]!);
        const pending = sr.status?.pendingDecision;
        if (rest.length === 1) {
          if (!pending) {
            io.err(
              `storyrun/${sr.metadata.name} is not waiting for a decision (it is ${sr.status?.phase ?? 'Queued'})`,
            );
            return 1;
          }
          io.out(describeDecision(sr.metadata.name, pending));
          return 0;
        }
        if (!pending) {
          io.err(`storyrun/${sr.metadata.name} is not waiting for a decision (it is ${sr.status?.phase ?? 'Queued'})`);
          return 1;
        }
        const choice = rest[1]!;
        if (pending.options.length > 0 && !pending.options.includes(choice)) {
          io.err(`"${choice}" is not one of the options: ${pending.options.join(', ')}`);
          return 1;
        }
        const answer = { id: pending.id, choice, ...(values.comment !== undefined ? { comment: values.comment } : {}) };
        const outcome = await stories.edit(rest[0]!, (fresh) =>
          answerDecisions(fresh, [answer], new Set([pending.id])),
        );
        io.out(`storyrun/${rest[0]} ${outcome === 'unchanged' ? 'already decided' : 'decided'}: ${choice}`);
        return 0;
      }
      case 'queue': {
        const [action, name, ...extra] = rest;
        if (!name || extra.length > 0 || !['move-to-front', 'skip', 'unskip'].includes(action ?? '')) {
          return usage('queue takes move-to-front, skip or unskip and one story name');
        }
        const outcome = await stories.edit(name, async (sr) => {
          if (!sr.spec.queueRef) throw ApiError.conflict(`storyrun/${name} is in no queue (spec.queueRef is unset)`);
          const mates = action === 'move-to-front' ? await stories.inQueue(sr.spec.queueRef) : [];
          return reprioritizeStory(
            sr,
            action === 'move-to-front' ? { moveToFront: true } : { skip: action === 'skip' },
            mates,
          );
        });
        io.out(
          `storyrun/${name} ${outcome === 'unchanged' ? 'unchanged' : action === 'move-to-front' ? 'moved to the front' : action === 'skip' ? 'skipped' : 'no longer skipped'}`,
        );
        return 0;
      }
      default:
        return usage(`unknown command "${command}"`);
    }
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function describeDecision(name: string, d: NonNullable<NonNullable<StoryRun['status']>['pendingDecision']>): string {
  const options = [...d.options].sort((a, b) => Number(b === d.recommendation) - Number(a === d.recommendation));
  return [
    `storyrun/${name} asks (${d.kind}${d.step ? `, in ${d.step}` : ''}): ${d.question}`,
    ...(d.context ? ['', d.context.trim(), ''] : []),
    ...(options.length
      ? options.map((o) => `  ${o}${o === d.recommendation ? '   (recommended)' : ''}`)
      : ['  (free text)']),
    '',
    `Answer: kubectl nightshift decide ${name} <choice> [--comment TEXT]`,
  ].join('\n');
}

/** StoryRuns read fresh from the API server (never a cache) and patched at the version read. */
class Stories {
  private readonly client: RestClient;
  private readonly namespace: string;
  private readonly writer: ClusterWriter;

  constructor(client: RestClient, namespace: string) {
    this.client = client;
    this.namespace = namespace;
    this.writer = new ClusterWriter(client);
  }

  async get(name: string): Promise<StoryRun> {
    const object = await this.client
      .get<unknown>(resourcePath(RESOURCES.storyRun, { namespace: this.namespace, name }))
      .catch((error: unknown) => {
        if (isNotFound(error)) throw new Error(`storyrun ${this.namespace}/${name} not found`);
        throw error;
      });
    return parseStory(object);
  }

  async list(allNamespaces: boolean): Promise<StoryRun[]> {
    const path = resourcePath(RESOURCES.storyRun, allNamespaces ? {} : { namespace: this.namespace });
    const { items } = await this.client.get<{ items: unknown[] }>(path);
    return items
      .map(parseStory)
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
      );
  }

  async inQueue(queue: string): Promise<StoryRun[]> {
    return (await this.list(false)).filter((sr) => sr.spec.queueRef === queue);
  }

  /** Decides the edit on the object as it is now and patches at that version; 'unchanged' when nothing was to do. */
  async edit(
    name: string,
    decide: (sr: StoryRun) => EditResult | Promise<EditResult>,
  ): Promise<'applied' | 'unchanged'> {
    const sr = await this.get(name);
    const result = await decide(sr);
    if (result === UNCHANGED) return 'unchanged';
    await this.writer.patch(RESOURCES.storyRun, this.namespace, name, sr.metadata.resourceVersion!, result.patch);
    return 'applied';
  }
}

function parseStory(object: unknown): StoryRun {
  const parsed = storyRunSchema.safeParse(object);
  if (parsed.success) return parsed.data;
  const meta = (object as { metadata?: { namespace?: string; name?: string } }).metadata;
  const issue = parsed.error.issues[0];
  throw new Error(
    `storyrun ${meta?.namespace}/${meta?.name} does not parse: ${issue?.path.join('.')}: ${issue?.message}`,
  );
}
