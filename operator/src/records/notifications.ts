// LISTEN for runners' progress (NOTIFY nightshift_story '<namespace>/<name>')
// on a dedicated connection that reconnects after any error, so a restarted
// Postgres never leaves the operator deaf. Periodic resync covers the gap.
import pg from 'pg';

export const STORY_CHANNEL = 'nightshift_story';

export interface StoryNotifications {
  stop(): Promise<void>;
}

export function listenForStoryChanges(
  databaseURL: string,
  onChange: (key: string) => void,
  onError: (error: Error) => void,
): StoryNotifications {
  let client: pg.Client | undefined;
  let stopped = false;
  let delayMs = 500;
  let timer: NodeJS.Timeout | undefined;

  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: databaseURL, application_name: 'nightshift-operator-listen' });
    next.on('notification', (message) => {
      if (message.channel === STORY_CHANNEL && message.payload) onChange(message.payload);
    });
    // Only the newest connection may trigger a reconnect.
    next.on('error', (error) => client === next && retry(error));
    next.on('end', () => client === next && retry(new Error('notification connection ended')));
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${STORY_CHANNEL}`);
      delayMs = 500;
    } catch (error) {
      if (client === next) retry(error as Error);
      await next.end().catch(() => {});
    }
  };
  const retry = (error: Error) => {
    if (stopped || timer) return;
    const old = client;
    client = undefined;
    void old?.end().catch(() => {});
    onError(error);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delayMs);
    delayMs = Math.min(delayMs * 2, 15_000);
  };

  void connect();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
