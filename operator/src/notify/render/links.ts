// Links into the dashboard (issues 11/12). The paths are this notifier's
// assumption until the dashboard's routes land: /stories/<namespace>/<name>,
// /decisions/<id>, /budgets/<namespace>/<name>, /queues/<namespace>/<name>,
// and /notifications/unsubscribe?recipient=<name> for List-Unsubscribe.
export interface DashboardLinks {
  home(): string;
  story(namespace: string, name: string): string;
  decision(id: string): string;
  budget(namespace: string, name: string): string;
  queue(namespace: string, name: string): string;
  unsubscribe(recipient: string): string;
}

export function dashboardLinks(base: string): DashboardLinks {
  const root = base.replace(/\/+$/, '');
  const at = (...parts: string[]) => `${root}/${parts.map(encodeURIComponent).join('/')}`;
  return {
    home: () => `${root}/`,
    story: (namespace, name) => at('stories', namespace, name),
    decision: (id) => at('decisions', id),
    budget: (namespace, name) => at('budgets', namespace, name),
    queue: (namespace, name) => at('queues', namespace, name),
    unsubscribe: (recipient) => `${at('notifications', 'unsubscribe')}?recipient=${encodeURIComponent(recipient)}`,
  };
}
