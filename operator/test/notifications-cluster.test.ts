// Notifications from records real stories write on the local cluster: the
// operator's Succeeded transition (story completed, with the draft PR) and
// the runner's question (decision needed, with the dashboard link to answer
// it), delivered to Slack and by email.
import assert from 'node:assert/strict';
import { eventually } from '../../hack/test/harness.ts';
import type { OperatorProcess } from './support/operator-process.ts';
import {
  DASHBOARD,
  STORY_EVENTS,
  notificationsConfig,
  notifyStandIns,
  startNotifyingOperator,
  type NotifyStandIns,
} from './support/notify-environment.ts';
import {
  createStoryRun,
  sampleStoryRun,
  storyEnvironment,
  waitForPhase,
  type StoryEnvironment,
} from './support/story-environment.ts';

const fence = '```';
const QUESTION = `
${fence}ask
question: Which greeting style should greeting() use?
options: casual, formal
recommendation: casual
context: Casual says "Hello, Ada!".
${fence}
`;

describe('notifications from stories on the local cluster', function () {
  this.timeout(10 * 60_000);
  let env: StoryEnvironment;
  let standIns: NotifyStandIns;
  let operator: OperatorProcess;
  const diagnostics = () => `--- operator log ---\n${operator.tail(40)}`;

  before(async function () {
    this.timeout(30 * 60_000);
    env = await storyEnvironment('notify-sr');
    standIns = await notifyStandIns();
    operator = await startNotifyingOperator({
      kubeconfig: env.cluster.kubeconfigPath,
      databaseURL: env.databaseURL,
      namespace: env.namespace,
      notifications: notificationsConfig(standIns, {
        slack: { events: STORY_EVENTS },
        email: { events: ['StoryCompleted', 'DecisionNeeded'], batchSeconds: 0 },
      }),
    });
  });
  after(async () => {
    await operator?.stop();
    await standIns?.close();
    await env?.close();
  });

  it('a story that succeeds → "story completed" with its pull request, on Slack and by email', async () => {
    await createStoryRun(env, sampleStoryRun(env, 'notify-done'));
    const done = await waitForPhase(env, 'notify-done', 'Succeeded', { diagnostics });
    const pr = done.status!.pullRequest!.url;
    const title = `Story completed: ${done.spec.story.title} (${env.namespace}/notify-done)`;
    const message = await eventually('the Slack message', () =>
      standIns.slack.messages.find((m) => m.payload.text.includes('/notify-done)')),
    ).catch((error: Error) => assert.fail(`${error.message}\n${diagnostics()}`));
    assert.equal(message.payload.text, title);
    assert.ok(JSON.stringify(message.payload.blocks).includes(`"url":"${pr}"`), 'a button to the pull request');
    const mail = await eventually('the email', () =>
      standIns.smtp.mails.find((m) => m.parsed.subject?.includes('/notify-done)')),
    );
    assert.ok(mail.parsed.text?.includes(pr));
    assert.ok(String(mail.parsed.html).includes(`href="${DASHBOARD}/stories/${env.namespace}/notify-done"`));
  });

  it('a story that asks → "decision needed" with the link to answer it', async () => {
    await createStoryRun(env, sampleStoryRun(env, 'notify-asks', { extraDescription: QUESTION }));
    const waiting = await waitForPhase(env, 'notify-asks', 'WaitingForHuman', { diagnostics });
    const id = waiting.status!.pendingDecision!.id;
    const message = await eventually('the Slack message', () =>
      standIns.slack.messages.find(
        (m) => m.payload.text.startsWith('Decision needed:') && m.payload.text.includes('/notify-asks)'),
      ),
    ).catch((error: Error) => assert.fail(`${error.message}\n${diagnostics()}`));
    const blocks = JSON.stringify(message.payload.blocks);
    assert.ok(blocks.includes('Which greeting style should greeting() use?'));
    assert.ok(blocks.includes(`"url":"${DASHBOARD}/decisions/${encodeURIComponent(id)}"`), 'the Answer button');
    const mail = await eventually('the email', () =>
      standIns.smtp.mails.find((m) => m.parsed.subject?.startsWith('Decision needed:')),
    );
    assert.ok(String(mail.parsed.html).includes(`${DASHBOARD}/decisions/${encodeURIComponent(id)}`));
    assert.equal(
      standIns.slack.messages.filter((m) => m.payload.text.includes('/notify-asks)')).length,
      1,
      'asked once, told once',
    );
  });
});
