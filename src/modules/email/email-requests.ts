import type { OutgoingEmail } from './mailer.ts';

/**
 * What a queued email job carries: the kind of message and the ids it is about. Never an
 * address, a name or a link: job rows outlive requests, and erasure cannot reach inside them.
 */
export interface EmailRequest {
  kind: string;
  ref: Record<string, string>;
}

/**
 * Builds a message when its job runs, from what the database holds then, links included.
 * Null when there is no one to send it to any more (no email address, erased, cancelled).
 */
export type EmailComposer = (ref: Record<string, string>) => Promise<OutgoingEmail | null>;
export type EmailComposers = Record<string, EmailComposer>;

/** One composer per kind, gathered from every module that sends email. */
export function emailComposerRegistry(...sets: EmailComposers[]) {
  const all = new Map<string, EmailComposer>();
  for (const set of sets) {
    for (const [kind, composer] of Object.entries(set)) {
      if (all.has(kind)) throw new Error(`Two modules compose emails of kind ${kind}`);
      all.set(kind, composer);
    }
  }
  return {
    kinds: () => [...all.keys()],
    async compose(request: EmailRequest): Promise<OutgoingEmail | null> {
      const composer = all.get(request.kind);
      if (!composer) throw new Error(`No composer for emails of kind ${request.kind}`);
      return composer(request.ref);
    },
  };
}
