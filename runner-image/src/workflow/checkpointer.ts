// LangGraph checkpoints in Postgres (schema autonomous_checkpoints), on a pool
// of their own: PostgresSaver.end() ends the pool it was given. Its setup()
// takes no lock, so it runs under an advisory lock.
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';
import type { StoryLock } from '../records/story-lock.ts';

export const CHECKPOINT_SCHEMA = 'autonomous_checkpoints';

export async function openCheckpointer(databaseURL: string, lock: StoryLock): Promise<PostgresSaver> {
  const pool = new pg.Pool({
    connectionString: databaseURL,
    application_name: 'nightshift-runner-checkpoints',
    max: 3,
  });
  pool.on('error', () => {});
  const saver = new PostgresSaver(pool, undefined, { schema: CHECKPOINT_SCHEMA });
  await lock.exclusive('nightshift:checkpoint-setup', () => saver.setup());
  return saver;
}
