// A delivery as a Slack message: Block Kit (a header, one section per
// notification with a button linking into the dashboard or the pull request,
// a context line) and the plain text Slack shows in notifications.
import type { Notification, NotificationKind, Summary } from '@nightshift/crds/contract';
import type { DashboardLinks } from './links.ts';
import { headline, localTime, percent, storyLabel, usd } from './text.ts';

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}
type PlainText = { type: 'plain_text'; text: string; emoji?: boolean };
type Mrkdwn = { type: 'mrkdwn'; text: string };
export type SlackButton = {
  type: 'button';
  text: PlainText;
  url: string;
  action_id: string;
  style?: 'primary' | 'danger';
};
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn; accessory?: SlackButton; fields?: Mrkdwn[] }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'actions'; elements: SlackButton[] }
  | { type: 'divider' };

/** Slack's mrkdwn needs &, < and > escaped (they delimit links). */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const link = (url: string, text: string) => `<${url}|${escapeMrkdwn(text)}>`;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const plain = (text: string, max = 75): PlainText => ({ type: 'plain_text', text: clip(text, max), emoji: true });

type MakeButton = (label: string, url: string, style?: 'primary' | 'danger') => SlackButton;
/** Buttons with action ids unique within one message. */
const buttonMaker = (): MakeButton => {
  let count = 0;
  return (label, url, style) => ({
    type: 'button',
    text: plain(label),
    url,
    action_id: `open-${++count}`,
    ...(style ? { style } : {}),
  });
};

function section(n: Notification, links: DashboardLinks, timeZone: string, button: MakeButton): SlackBlock {
  const text = (body: string, accessory?: SlackButton): SlackBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text: clip(body, 3000) },
    ...(accessory ? { accessory } : {}),
  });
  switch (n.kind) {
    case 'StoryCompleted':
      return text(
        `:white_check_mark: ${link(links.story(n.story.namespace, n.story.name), storyLabel(n.story))}\n` +
          `Draft pull request ${link(n.pullRequest.url, `#${n.pullRequest.number}`)}` +
          (n.confidence !== undefined ? ` · confidence ${percent(n.confidence)}` : '') +
          (n.costUSD !== undefined ? ` · ${usd(n.costUSD)}` : ''),
        button('Open pull request', n.pullRequest.url, 'primary'),
      );
    case 'StoryFailed':
    case 'StoryStuck':
      return text(
        `${n.kind === 'StoryFailed' ? ':x:' : ':warning:'} ${link(links.story(n.story.namespace, n.story.name), storyLabel(n.story))}\n` +
          `*${escapeMrkdwn(n.reason)}*: ${escapeMrkdwn(clip(n.message, 1500))}`,
        button('View story', links.story(n.story.namespace, n.story.name)),
      );
    case 'DecisionNeeded':
      return text(
        `:question: *${escapeMrkdwn(n.decision.question)}*\n` +
          `${link(links.story(n.story.namespace, n.story.name), storyLabel(n.story))}` +
          (n.decision.options.length ? ` · options: ${n.decision.options.map(escapeMrkdwn).join(', ')}` : '') +
          (n.decision.recommendation ? ` · recommended: *${escapeMrkdwn(n.decision.recommendation)}*` : ''),
        button('Answer', links.decision(n.decision.id), 'primary'),
      );
    case 'BudgetThreshold':
    case 'BudgetExceeded':
      if (n.budget) {
        return text(
          `${n.kind === 'BudgetExceeded' ? ':rotating_light:' : ':chart_with_upwards_trend:'} ` +
            `${link(links.budget(n.budget.namespace, n.budget.name), `${n.budget.namespace}/${n.budget.name}`)}: ` +
            `${escapeMrkdwn(n.message)}` +
            (n.spentUSD !== undefined && n.limitUSD !== undefined
              ? ` (${usd(n.spentUSD)} of ${usd(n.limitUSD)} ${n.scope})`
              : ''),
          button(
            'View budget',
            links.budget(n.budget.namespace, n.budget.name),
            n.kind === 'BudgetExceeded' ? 'danger' : undefined,
          ),
        );
      }
      if (n.kind === 'BudgetThreshold' || !n.story) return text(escapeMrkdwn(n.message));
      return text(
        `:rotating_light: ${link(links.story(n.story.namespace, n.story.name), storyLabel(n.story))} paused: ` +
          `${escapeMrkdwn(n.message)}` +
          (n.maxCostUSD !== undefined ? ` (cap ${usd(n.maxCostUSD)}; raise spec.maxCostUSD to resume)` : ''),
        button('View story', links.story(n.story.namespace, n.story.name), 'danger'),
      );
    case 'RepeatedFailures': {
      const where = n.queue
        ? link(links.queue(n.queue.namespace, n.queue.name), `queue ${n.queue.namespace}/${n.queue.name}`)
        : link(links.story(n.story!.namespace, n.story!.name), storyLabel(n.story!));
      const failures = n.failures.map((f) => `• ${escapeMrkdwn(f.name)}: ${escapeMrkdwn(f.reason)}`).join('\n');
      return text(
        `:rotating_light: ${where}: ${escapeMrkdwn(n.message)}${failures ? `\n${failures}` : ''}`,
        n.queue
          ? button('View queue', links.queue(n.queue.namespace, n.queue.name), 'danger')
          : button('View story', links.story(n.story!.namespace, n.story!.name), 'danger'),
      );
    }
    case 'DailySummary':
    case 'WeeklyReport':
      return summarySection(n.summary, links, timeZone, button);
  }
}

function summarySection(s: Summary, links: DashboardLinks, timeZone: string, button: MakeButton): SlackBlock {
  const lines = [
    ...s.completed.map(
      (c) =>
        `:white_check_mark: ${link(links.story(c.namespace, c.name), storyLabel(c))}${c.pullRequestURL ? ` · ${link(c.pullRequestURL, 'PR')}` : ''}`,
    ),
    ...s.failed.map(
      (f) =>
        `:x: ${link(links.story(f.namespace, f.name), storyLabel(f))}${f.reason ? ` · ${escapeMrkdwn(f.reason)}` : ''}`,
    ),
    ...s.waiting.map(
      (w) => `:question: ${link(links.decision(w.id), w.question)} (${escapeMrkdwn(`${w.namespace}/${w.name}`)})`,
    ),
  ];
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: clip(
        `${localTime(s.start, timeZone)} → ${localTime(s.end, timeZone)}\n` +
          `*${s.completed.length}* completed · *${s.failed.length}* failed · *${s.waiting.length}* waiting for you · ` +
          `*${s.started}* started · *${usd(s.spentUSD)}* spent` +
          (lines.length ? `\n${lines.join('\n')}` : '\nNothing happened.'),
        3000,
      ),
    },
    accessory: button('Open dashboard', links.home()),
  };
}

export function slackMessage(
  delivery: { kind: NotificationKind; notifications: Notification[] },
  links: DashboardLinks,
  timeZone: string,
): SlackMessage {
  const button = buttonMaker();
  const title = headline(delivery.kind, delivery.notifications);
  const blocks: SlackBlock[] = [
    { type: 'header', text: plain(title, 150) },
    ...delivery.notifications.map((n) => section(n, links, timeZone, button)),
  ];
  if (delivery.kind === 'DecisionNeeded' && delivery.notifications.length > 1) {
    blocks.push({ type: 'actions', elements: [button('Open the decision queue', `${links.home()}decisions`)] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Nightshift · ${escapeMrkdwn(title)}` }] });
  return { text: title, blocks };
}
