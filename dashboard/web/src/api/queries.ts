// Query keys and the hooks every page reads server state with (TanStack
// Query). The WebSocket hook writes into the same keys.
import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';

export const keys = {
  stories: ['stories'] as const,
  story: (namespace: string, name: string) => ['story', namespace, name] as const,
  decisions: ['decisions'] as const,
  queues: ['queues'] as const,
  queue: (namespace: string, name: string) => ['queue', namespace, name] as const,
  budgets: ['budgets'] as const,
  reviews: ['reviews'] as const,
  timeline: (hours: number) => ['timeline', hours] as const,
  replay: (namespace: string, name: string) => ['replay', namespace, name] as const,
};

export const useStories = () => useQuery({ queryKey: keys.stories, queryFn: () => api.stories() });
export const useStory = (namespace: string, name: string) =>
  useQuery({ queryKey: keys.story(namespace, name), queryFn: () => api.story(namespace, name) });
export const useDecisions = () => useQuery({ queryKey: keys.decisions, queryFn: () => api.decisions() });
export const useQueues = () => useQuery({ queryKey: keys.queues, queryFn: () => api.queues() });
export const useBudgets = () => useQuery({ queryKey: keys.budgets, queryFn: () => api.budgets() });
export const useReviews = () => useQuery({ queryKey: keys.reviews, queryFn: () => api.reviews() });
export const useTimeline = (hours: number) =>
  useQuery({ queryKey: keys.timeline(hours), queryFn: () => api.timeline(hours), refetchInterval: 30_000 });
export const useReplay = (namespace: string, name: string) =>
  useQuery({ queryKey: keys.replay(namespace, name), queryFn: () => api.replay(namespace, name) });
