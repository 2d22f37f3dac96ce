// LISTEN for runners' progress (NOTIFY on the contract's story channel,
// payload '<namespace>/<name>') on a dedicated connection that reconnects after
// any error, so a restarted Postgres never leaves the operator deaf. Periodic
// resync covers the gap.
import pg from 'pg';
import { NOTIFY_CHANNELS, storyNotificationSchema, type StoryNotification } from '@nightshift/crds/contract';

export interface StoryNotifications {
  stop(): Promise<void>;
}

export function listenForStoryChanges(
  databaseURL: string,
  onChange: (story: StoryNotification) => void,
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
      if (message.channel !== NOTIFY_CHANNELS.story) return;
      const story = storyNotificationSchema.safeParse(message.payload ?? '');
      if (story.success) onChange(story.data);
      else
        onError(
          new Error(`ignored a ${NOTIFY_CHANNELS.story} notification with payload ${JSON.stringify(message.payload)}`),
        );
    });
    // Only the newest connection may trigger a reconnect.
    next.on('error', (error) => client === next && retry(error));
    next.on('end', () => client === next && retry(new Error('notification connection ended')));
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${NOTIFY_CHANNELS.story}`);
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
