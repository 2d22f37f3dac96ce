// The one WebSocket of the tab: subscribes to /api/events, writes each
// StoryRun / WorkQueue / Budget change into the lists in the query cache
// (mergeChange), marks the details it touches stale (refetched at most every
// half second), and after a drop reconnects and resumes after the last seq it
// saw. A `reset` (the log was pruned) re-reads everything over REST.
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import {
  serverMessageSchema,
  WEBSOCKET_PROTOCOL,
  WEBSOCKET_TOKEN_PREFIX,
  type ChangeMessage,
} from '@nightshift/dashboard/api';
import { keys } from '../api/queries.ts';
import { setConnectionState } from './connection.ts';
import { mergeChange, type Versioned } from './merge.ts';

interface ListPage<T> {
  items: readonly T[];
}

function mergeInto(client: QueryClient, key: QueryKey, change: ChangeMessage): void {
  client.setQueryData<ListPage<Versioned>>(key, (page) => {
    if (!page) return page;
    const items = mergeChange(page.items, change);
    return items === page.items ? page : { ...page, items };
  });
}

/** Which cached lists and details a change touches. */
function apply(client: QueryClient, change: ChangeMessage, stale: Set<string>): void {
  const mark = (key: QueryKey) => stale.add(JSON.stringify(key));
  const story = change.namespace && change.storyName ? keys.story(change.namespace, change.storyName) : undefined;
  switch (change.kind) {
    case 'StoryRun':
      mergeInto(client, keys.stories, change);
      if (story) mark(story);
      mark(keys.decisions);
      mark(keys.queues);
      break;
    case 'WorkQueue':
      mergeInto(client, keys.queues, change);
      if (change.namespace && change.name) mark(keys.queue(change.namespace, change.name));
      break;
    case 'Budget':
      mergeInto(client, keys.budgets, change);
      break;
    case 'Pod':
    case 'event':
      if (story) mark(story);
      if (change.kind === 'event' && change.event?.type === 'PullRequestOpened') mark(keys.reviews);
      break;
  }
}

export function useLiveUpdates(token: string | null): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!token) return;
    let socket: WebSocket | undefined;
    let lastSeq: number | undefined;
    let closed = false;
    let retryMs = 500;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const stale = new Set<string>();
    const flush = setInterval(() => {
      for (const key of stale) void client.invalidateQueries({ queryKey: JSON.parse(key) as QueryKey, exact: true });
      stale.clear();
    }, 500);

    const connect = () => {
      setConnectionState('connecting');
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`;
      const ws = (socket = new WebSocket(url, [WEBSOCKET_PROTOCOL, `${WEBSOCKET_TOKEN_PREFIX}${token}`]));
      ws.onopen = () => {
        // The first time, follow from the seq the story list was read at, so nothing falls between.
        const after = lastSeq ?? client.getQueryData<{ seq: number }>(keys.stories)?.seq;
        ws.send(JSON.stringify({ type: 'subscribe', ...(after !== undefined ? { after } : {}) }));
      };
      ws.onmessage = (event: MessageEvent<string>) => {
        const parsed = serverMessageSchema.safeParse(JSON.parse(event.data));
        if (!parsed.success) return;
        const message = parsed.data;
        switch (message.type) {
          case 'subscribed':
            lastSeq = message.after ?? message.head;
            if (message.after === null) {
              // Nothing to resume from: live from here, and whatever was read before is read again.
              setConnectionState('live');
              void client.invalidateQueries();
            }
            break;
          case 'caughtUp':
            retryMs = 500;
            setConnectionState('live');
            lastSeq = Math.max(lastSeq ?? 0, message.seq);
            break;
          case 'change':
            apply(client, message, stale);
            lastSeq = message.seq;
            break;
          case 'heartbeat':
            break;
          case 'reset':
            setConnectionState('live');
            lastSeq = message.seq;
            void client.invalidateQueries();
            break;
          case 'error':
            console.warn('dashboard events:', message.detail);
            break;
        }
      };
      ws.onclose = () => {
        if (closed) return;
        setConnectionState('offline');
        retryTimer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 10_000);
      };
    };
    connect();
    return () => {
      closed = true;
      clearInterval(flush);
      clearTimeout(retryTimer);
      socket?.close(1000, 'leaving');
    };
  }, [client, token]);
}
