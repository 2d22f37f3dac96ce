// What the workflow's steps work with; built once per process by the run mode.
import type { StoryRunSpec } from '@nightshift/crds';
import type pg from 'pg';
import type { StoryAgent } from '../agents/agent.ts';
import type { BudgetLedger } from '@nightshift/crds/ledger';
import type { Logger } from '../log.ts';
import type { EventSink } from '../records/events.ts';
import type { SessionRecord } from '../records/session.ts';
import type { Worktree } from '../worktree/worktree.ts';

export interface WorkflowDeps {
  story: { uid: string; name: string; namespace: string };
  spec: StoryRunSpec;
  attempt: number;
  agent: StoryAgent;
  worktree: Worktree;
  events: EventSink;
  session: SessionRecord;
  ledger: BudgetLedger;
  pool: pg.Pool;
  log: Logger;
  dashboardURL: string | undefined;
  gitToken: string | undefined;
  /** SIGTERM arrived: no new step may start. */
  stopRequested(): boolean;
}
