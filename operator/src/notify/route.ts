// Who hears about a notification: the recipients who asked for its kind and
// follow its namespace (a recipient with no namespaces follows all); a
// summary goes to the one recipient it was made for.
import { subjectOf } from '@nightshift/crds/contract';
import type { RecipientConfig } from '../config/notifications.ts';
import type { Found } from './sources/source.ts';

export function recipientsFor(found: Found, recipients: RecipientConfig[]): string[] {
  const { namespace } = subjectOf(found.notification);
  return recipients
    .filter((r) => (found.recipients ? found.recipients.includes(r.name) : true))
    .filter((r) => r.events.includes(found.notification.kind))
    .filter((r) => namespace === undefined || r.namespaces.length === 0 || r.namespaces.includes(namespace))
    .map((r) => r.name);
}
