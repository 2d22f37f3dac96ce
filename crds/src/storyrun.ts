// StoryRun: one software story worked by an agent in its own pod, from
// queue to draft pull request. The spec is what the user (kubectl or the
// dashboard) asks for; the status is what the operator observed.
import { z } from 'zod';
import { decisionKindSchema } from './contract/decisions.ts';
import { cel, conditionsSchema, moneySchema, objectMetaSchema, secretKeyRefSchema } from './meta.ts';

export const STORYRUN_PHASES = [
  'Queued',
  'Admitted',
  'Running',
  'Pausing',
  'Paused',
  'WaitingForHuman',
  'Succeeded',
  'Failed',
  'Aborted',
] as const;
export const storyRunPhaseSchema = z.enum(STORYRUN_PHASES);
export type StoryRunPhase = z.infer<typeof storyRunPhaseSchema>;
export const TERMINAL_PHASES: readonly StoryRunPhase[] = ['Succeeded', 'Failed', 'Aborted'];
/** A finished story: nothing runs again; only clean-up remains. */
export const isTerminalPhase = (phase: StoryRunPhase | undefined) =>
  phase !== undefined && TERMINAL_PHASES.includes(phase);

export const STORY_STEPS = ['plan', 'implement', 'verify', 'review', 'gate', 'deliver'] as const;

export const storySchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
      .meta({ description: 'Story identifier; names the branch nightshift/<id>.' }),
    title: z.string().min(1).max(200).meta({ description: 'One-line title; also the pull request title.' }),
    description: z.string().max(65536).default('').meta({ description: "What to build (markdown): the agent's task." }),
    acceptanceCriteria: z.array(z.string().max(4096)).max(100).default([]).meta({
      description: 'What the change must do; given to the agent and the review, and listed in the pull request.',
    }),
  })
  .meta({ description: 'The story to work. Immutable once created.' });

export const repositorySchema = z
  .object({
    url: z.string().min(1).max(2048).meta({ description: 'Git URL the runner clones and pushes to (https or file).' }),
    baseBranch: z
      .string()
      .min(1)
      .max(255)
      .default('main')
      .meta({ description: 'Branch the work starts from and the pull request targets.' }),
    credentialsSecretRef: secretKeyRefSchema
      .optional()
      .meta({ description: 'Secret holding a token for git and the forge API (key defaults to "token").' }),
    pullRequests: z
      .object({
        apiURL: z.string().max(2048).optional().meta({
          description: 'GitHub API base URL; api.github.com by default, GitHub Enterprise uses https://host/api/v3.',
        }),
        owner: z
          .string()
          .max(255)
          .optional()
          .meta({ description: 'Repository owner (user or organization) on the forge.' }),
        repo: z.string().max(255).optional().meta({ description: 'Repository name on the forge.' }),
      })
      .optional()
      .meta({ description: 'Where to open the draft pull request; derived from the URL when it is a GitHub URL.' }),
  })
  .meta({ description: 'The repository the story changes. Immutable once created.' });

export const AGENT_BACKENDS = ['scripted', 'langchain', 'cli'] as const;

export const agentSchema = z
  .object({
    backend: z.enum(AGENT_BACKENDS).default('scripted').meta({
      description:
        'scripted: deterministic offline agent; langchain: tool-calling model agent; cli: an external headless coding-agent command.',
    }),
    provider: z
      .enum(['anthropic', 'openai'])
      .optional()
      .meta({ description: 'Model provider for the langchain backend.' }),
    model: z
      .string()
      .max(255)
      .optional()
      .meta({ description: 'Model the langchain backend calls, e.g. claude-sonnet-4-5 or gpt-4.1.' }),
    baseURL: z
      .string()
      .max(2048)
      .optional()
      .meta({ description: 'Provider base URL (any OpenAI-compatible endpoint).' }),
    maxTurns: z
      .int()
      .min(1)
      .max(1000)
      .default(30)
      .meta({ description: 'Model calls the agent may make in one step before it gives up.' }),
    maxTokensPerCall: z.int().min(1).max(200000).default(4096).meta({
      description: 'max_tokens sent with every model call; bounds the cost reserved before each call.',
    }),
    command: z.array(z.string()).optional().meta({ description: 'The cli backend command and arguments.' }),
    credentialsSecretRef: secretKeyRefSchema
      .optional()
      .meta({ description: 'Secret with the provider API key (key defaults to "apiKey").' }),
  })
  .meta({
    description: 'The coding agent that works the story.',
    ...cel(
      {
        rule: "self.backend != 'cli' || has(self.command) && size(self.command) > 0",
        message: 'agent.command is required when agent.backend is cli',
      },
      {
        rule: "self.backend != 'langchain' || has(self.model)",
        message: 'agent.model is required when agent.backend is langchain',
      },
      {
        rule: "self.backend != 'langchain' || has(self.credentialsSecretRef)",
        message:
          'agent.credentialsSecretRef is required when agent.backend is langchain: name the Secret that holds the provider API key',
      },
    ),
  });

export const verifySchema = z.object({
  command: z
    .array(z.string())
    .min(1)
    .meta({ description: 'Test/lint command run in the worktree, e.g. ["npm","test"].' }),
  timeoutSeconds: z
    .int()
    .min(1)
    .max(86400)
    .default(600)
    .meta({ description: 'The verify command is stopped after this long; that counts as a failed verification.' }),
  maxAttempts: z
    .int()
    .min(1)
    .max(20)
    .default(3)
    .meta({ description: 'Implement→verify loops before the story fails.' }),
});

export const decisionAnswerSchema = z.object({
  id: z.string().min(1).max(253).meta({ description: 'The id of status.pendingDecision this answers.' }),
  choice: z.string().min(1).max(1024).meta({ description: 'One of the offered options (or free text where allowed).' }),
  comment: z.string().max(65536).optional().meta({ description: 'Guidance for the agent, passed on with the choice.' }),
});
export type DecisionAnswer = z.infer<typeof decisionAnswerSchema>;

export const storyRunSpecSchema = z
  .object({
    story: storySchema.meta(cel({ rule: 'self == oldSelf', message: 'spec.story is immutable' })),
    repository: repositorySchema.meta(cel({ rule: 'self == oldSelf', message: 'spec.repository is immutable' })),
    queueRef: z.string().max(253).optional().meta({ description: 'Name of a WorkQueue in the same namespace.' }),
    priority: z.int().min(-1000).max(1000).default(0).meta({ description: 'Higher runs first within a queue.' }),
    position: z.int().min(-1000000).max(1000000).optional().meta({
      description:
        'Order among stories of the same priority in a queue: lower first, then stories without a position, then by creation time. Move to front: set it below the lowest in the queue.',
    }),
    skip: z.boolean().default(false).meta({
      description:
        'Keep this story queued: the queue admits the stories after it, never this one, until skip is false.',
    }),
    budgetRef: z.string().max(253).optional().meta({
      description: "Name of a Budget in the same namespace this story also draws on, besides its queue's.",
    }),
    agent: agentSchema.default({ backend: 'scripted', maxTurns: 30, maxTokensPerCall: 4096 }),
    verify: verifySchema
      .optional()
      .meta({ description: 'How the change is checked in the worktree; without it the story is not verified.' }),
    maxCostUSD: moneySchema('Hard cost cap for this story').optional(),
    confidenceThreshold: z.number().default(0.8).meta({
      description: 'Below this confidence (0..1) a gate pauses the story for a human.',
    }),
    backoffLimit: z
      .int()
      .min(0)
      .max(20)
      .default(2)
      .meta({ description: 'Failed pods retried before the story fails.' }),
    paused: z.boolean().default(false).meta({
      description: 'true stops the story (see pauseMode); false again resumes it from its checkpoint in a new pod.',
    }),
    pauseMode: z.enum(['Graceful', 'Immediate']).default('Graceful').meta({
      description: 'Graceful: finish the current step and checkpoint; Immediate: stop the pod now.',
    }),
    abort: z
      .object({
        requested: z
          .boolean()
          .default(false)
          .meta({ description: 'true ends the story: its pod stops and it ends Aborted.' }),
        keepWork: z
          .boolean()
          .default(false)
          .meta({ description: 'Push the work-in-progress branch before cleaning up.' }),
      })
      .default({ requested: false, keepWork: false })
      .meta({
        description: 'End the story for good; an abort cannot be withdrawn.',
        ...cel({
          rule: '!oldSelf.requested || self.requested',
          message: 'an abort cannot be withdrawn once requested',
        }),
      }),
    decisions: z
      .array(decisionAnswerSchema)
      .max(200)
      .default([])
      .meta({
        description: 'Answers to the questions the story asked (status.pendingDecision), one per decision id.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['id'],
      }),
  })
  .meta({
    description: 'What the user asks for; kubectl patch and the dashboard edit these fields.',
    ...cel(
      {
        rule: '!has(self.maxCostUSD) || self.maxCostUSD >= 0.0',
        message: 'maxCostUSD must be at least 0',
        fieldPath: '.maxCostUSD',
      },
      {
        rule: 'self.confidenceThreshold >= 0.0 && self.confidenceThreshold <= 1.0',
        message: 'confidenceThreshold must be within 0..1',
        fieldPath: '.confidenceThreshold',
      },
    ),
  });
export type StoryRunSpec = z.infer<typeof storyRunSpecSchema>;

export const pendingDecisionSchema = z.object({
  id: z.string().meta({ description: 'Answer with this id in spec.decisions.' }),
  kind: decisionKindSchema.default('Decision').meta({
    description: 'Decision: the agent asked; ConfidenceGate: the confidence fell below spec.confidenceThreshold.',
  }),
  step: z.string().optional().meta({ description: 'The workflow step that asked.' }),
  question: z.string().meta({ description: 'The question to answer.' }),
  context: z.string().default('').meta({ description: 'Everything a human needs to decide (markdown).' }),
  options: z
    .array(z.string())
    .default([])
    .meta({ description: 'The choices offered; spec.decisions[].choice names one.' }),
  recommendation: z.string().optional().meta({ description: 'The option the agent recommends.' }),
  askedAt: z.iso.datetime().optional().meta({ description: 'When it was asked.' }),
});
export type PendingDecision = z.infer<typeof pendingDecisionSchema>;

export const storyRunStatusSchema = z
  .object({
    phase: storyRunPhaseSchema.optional().meta({
      description:
        'Where the story is: Queued, Admitted, Running, Pausing, Paused, WaitingForHuman, Succeeded, Failed or Aborted.',
    }),
    step: z.string().optional().meta({ description: 'The workflow step in progress or last completed.' }),
    conditions: conditionsSchema.optional(),
    podName: z.string().optional().meta({ description: 'The story pod of the current or last attempt.' }),
    workVolume: z.string().optional().meta({ description: 'The PVC holding the worktree.' }),
    attempt: z.int().min(0).optional().meta({ description: 'Pods started for this story so far.' }),
    failures: z.int().min(0).optional().meta({ description: 'Pods that failed; retried up to spec.backoffLimit.' }),
    retryAfter: z.iso
      .datetime()
      .optional()
      .meta({ description: 'When the next attempt may start after a failed pod (backoff).' }),
    branch: z.string().optional().meta({ description: 'The branch the work is pushed to (nightshift/<story id>).' }),
    costUSD: z.number().optional().meta({ description: 'Spent so far by settled model calls (USD).' }),
    startedAt: z.iso.datetime().optional().meta({ description: 'When the first attempt started.' }),
    completedAt: z.iso
      .datetime()
      .optional()
      .meta({ description: 'When the story reached Succeeded, Failed or Aborted.' }),
    pullRequest: z
      .object({
        url: z.string().meta({ description: 'Web URL of the pull request.' }),
        number: z.int().meta({ description: 'Pull request number on the forge.' }),
      })
      .optional()
      .meta({ description: 'The draft pull request opened for the work.' }),
    pendingDecision: pendingDecisionSchema
      .optional()
      .meta({ description: 'The question waiting for a human; answer it in spec.decisions.' }),
    confidence: z.number().optional().meta({
      description:
        "Confidence (0..1) from the tests, the review and the agent's self-assessment, as the gate computed it.",
    }),
    queuePosition: z
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Place in its queue while Queued (1: admitted next).' }),
    estimateUSD: z.number().optional().meta({ description: 'Expected cost (p50) estimated before admission (USD).' }),
    estimateP90USD: z.number().optional().meta({ description: 'Cost this story stays under in 9 of 10 cases (USD).' }),
    observedGeneration: z.int().optional().meta({ description: 'The spec generation this status describes.' }),
    message: z.string().optional().meta({ description: 'What happened last, in words.' }),
  })
  .meta({ description: 'What the operator observed.' });
export type StoryRunStatus = z.infer<typeof storyRunStatusSchema>;

export const storyRunSchema = z.object({
  apiVersion: z.literal('nightshift.dev/v1alpha1'),
  kind: z.literal('StoryRun'),
  metadata: objectMetaSchema,
  spec: storyRunSpecSchema,
  status: storyRunStatusSchema.optional(),
});
export type StoryRun = z.infer<typeof storyRunSchema>;
