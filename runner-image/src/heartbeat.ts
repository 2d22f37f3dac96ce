// Every few seconds (10 by default): execution_sessions.heartbeat_at and a
// Heartbeat event, so the operator can tell a slow runner from a dead one. No
// NOTIFY: it would make the operator reconcile every running story each beat.
import type { Logger } from './log.ts';
import type { EventSink } from './records/events.ts';
import type { SessionRecord } from './records/session.ts';

let silenced = false;

/** Stops (true) or restarts (false) the beats while the process lives on: the scripted agent's `silent` directive. */
export function silenceHeartbeat(on: boolean): void {
  silenced = on;
}

export function startHeartbeat(session: SessionRecord, events: EventSink, log: Logger, seconds: number): () => void {
  let beats = 0;
  const timer = setInterval(() => {
    if (silenced) return;
    beats++;
    Promise.all([session.heartbeat(), events.record({ type: 'Heartbeat', data: { beat: beats } })]).catch(
      (error: Error) => log.warn({ err: error.message }, 'heartbeat failed'),
    );
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
