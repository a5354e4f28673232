import { createHash, randomUUID } from 'node:crypto';
import type { Db, Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { Claim, Person } from '../../db/schema.ts';
import { fileKey, type FileStore } from '../../lib/file-store.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { ExpenseColumns, PaymentsRepository } from './payments-repository.ts';
import { checkShape, dayWords, hoursWords, priceItems, type ClaimInput, type ClaimRules } from './payments-rules.ts';

/*
 * Making a claim and sending it: a draft the person checks (web) or a claim sent at once (API,
 * demo), the one-time submission key, receipts kept in step with the rows, and the checks again
 * when a draft is sent, because what it claims may have changed since.
 */

export function createClaimDrafts(deps: {
  db: Db;
  files: FileStore;
  audit: AuditTrail;
  people: Pick<PeopleService, 'findById' | 'list'>;
  rules: Pick<ClaimRules, 'attendedOf' | 'rateRules' | 'dayCapErrors'>;
  repo: PaymentsRepository;
  log: Pick<Logger, 'error'>;
}) {
  const { db, files, people, repo } = deps;
  const { attendedOf, rateRules, dayCapErrors } = deps.rules;

  const removeFiles = async (keys: string[]) => {
    for (const key of keys) await files.remove(key).catch((err: unknown) => deps.log.error({ err }, 'could not remove a receipt'));
  };

  async function mustFindPerson(personId: string): Promise<Person> {
    const p = isUuid(personId) ? await people.findById(personId) : undefined;
    if (!p || p.erasedAt) throw new ValidationError([{ path: 'personId', message: 'There is no one with that id' }]);
    return p;
  }

  async function mustSeeMaker(actor: Actor, id: string): Promise<Claim> {
    const c = isUuid(id) ? await repo.find(db, id) : null;
    if (!c || (c.madeBy ?? c.personId) !== actor.personId) throw new NotFoundError('No claim with that id');
    return c;
  }

  /**
   * Makes a claim: a draft for the person to check (web), or sent at once (API, demo). Receipts
   * go to the file store first and the rows after, in one transaction; if the rows fail, the files
   * go again, so nothing is ever half there. The same submission key twice records one claim.
   */
  async function createClaim(
    actor: Actor,
    input: ClaimInput,
    opts: { draft: boolean; submissionKey?: string; replaces?: string },
  ): Promise<{ claim: Claim; repeated: boolean }> {
    if (!isStaff(actor) && input.personId !== actor.personId) throw new NotFoundError('No one with that id');
    await mustFindPerson(input.personId);
    checkShape(input);
    const madeBy = input.personId === actor.personId ? null : actor.personId;
    const key = opts.submissionKey && isUuid(opts.submissionKey) ? opts.submissionKey : null;
    const hash = inputHash(input, madeBy, opts.replaces);
    /**
     * The claim made earlier with this key: the same answers again are a repeat (a double click);
     * other answers (back in the browser, changed, sent again) replace that draft on the web, and
     * are refused once it was sent, or through the API.
     */
    const earlierOf = (earlier: Claim | null): { repeat: Claim } | { replace: Claim } | null => {
      if (!earlier) return null;
      if (earlier.personId !== input.personId || earlier.madeBy !== madeBy)
        throw new ConflictError('This form was already sent. Reload the page to make another claim.');
      if (earlier.submissionHash === hash) return { repeat: earlier };
      if (opts.draft && earlier.status === 'draft') return { replace: earlier };
      throw new ConflictError(
        opts.draft
          ? 'You have already sent this claim, so it cannot be changed here. To claim for something else, make a new claim.'
          : 'This submissionKey was already used for a different claim: use a new key for a new claim',
      );
    };
    if (key) {
      const earlier = earlierOf(await repo.findBySubmissionKey(db, key));
      if (earlier && 'repeat' in earlier) return { claim: earlier.repeat, repeated: true };
    }

    // The draft being changed, if it is this maker's draft for this person; its receipts may be kept.
    const replaced = opts.replaces && isUuid(opts.replaces) ? await repo.find(db, opts.replaces) : null;
    const replacing =
      replaced && replaced.status === 'draft' && replaced.personId === input.personId && replaced.madeBy === madeBy ? replaced : null;

    const stored: string[] = [];
    const expenseRows: ExpenseColumns[] = [];
    try {
      for (const [position, e] of input.expenses.entries()) {
        const id = randomUUID();
        let receipt: { name: string; type: string } | null = null;
        if (e.receipt) {
          await files.put(fileKey('receipts', id), e.receipt.data, e.receipt.contentType);
          stored.push(fileKey('receipts', id));
          receipt = { name: e.receipt.name, type: e.receipt.contentType };
        } else if (e.keepReceiptOf && replacing && isUuid(e.keepReceiptOf)) {
          const old = await repo.expense(db, replacing.id, e.keepReceiptOf);
          const data = old?.receiptKey ? await files.get(old.receiptKey) : null;
          if (old && data) {
            await files.put(fileKey('receipts', id), data, old.receiptType ?? 'application/octet-stream');
            stored.push(fileKey('receipts', id));
            receipt = { name: old.receiptName!, type: old.receiptType ?? 'application/octet-stream' };
          }
        }
        expenseRows.push({
          id,
          position,
          kind: e.kind,
          amountPence: e.amountPence,
          note: e.note || null,
          receiptKey: receipt ? fileKey('receipts', id) : null,
          receiptName: receipt?.name ?? null,
          receiptType: receipt?.type ?? null,
        });
      }

      const result = await db.transaction(async (tx) => {
        await repo.lockPerson(tx, input.personId);
        const earlier = key ? earlierOf(await repo.findBySubmissionKey(tx, key)) : null;
        if (earlier && 'repeat' in earlier) return { claim: earlier.repeat, repeated: true, discarded: [] as string[] };
        // One after another: a transaction's client runs one statement at a time.
        const attended = await attendedOf(input.personId, tx);
        const claimed = await repo.claimedSources(tx, input.personId);
        const rates = await rateRules(tx);
        const items = priceItems(input, attended, claimed, rates);
        const overDay = await dayCapErrors(
          tx,
          input.personId,
          items.map((i) => ({ date: i.onDate, minutes: i.minutes })),
        );
        if (overDay.length) throw new ValidationError(overDay);
        const timePence = items.reduce((s, i) => s + i.amountPence, 0);
        const expensesPence = expenseRows.reduce((s, e) => s + e.amountPence, 0);
        if (timePence + expensesPence === 0)
          throw new ValidationError([
            {
              path: input.payAs === 'decline' ? 'payAs' : 'items',
              message:
                input.payAs === 'decline'
                  ? 'You chose not to be paid for your time and have no expenses, so there is nothing to claim. Thank you for giving your time.'
                  : 'There is nothing to pay on this claim: the time in it is not paid and it has no expenses',
            },
          ]);
        // One draft per maker and person: starting again replaces the one before.
        const old = opts.draft ? await repo.draftsOf(tx, input.personId, actor.personId) : replacing ? [replacing] : [];
        if (earlier && 'replace' in earlier) old.push(earlier.replace);
        const oldIds = [...new Set(old.map((c) => c.id))];
        const discarded = await repo.receiptKeysOf(tx, oldIds);
        await repo.deleteClaims(tx, oldIds);
        const claim = await repo.insertClaim(tx, {
          personId: input.personId,
          status: opts.draft ? 'draft' : 'submitted',
          payAs: input.payAs,
          financeHasBankDetails: input.financeHasBankDetails,
          timePence,
          expensesPence,
          totalPence: timePence + expensesPence,
          note: input.note || null,
          madeBy,
          submissionKey: key,
          submissionHash: key ? hash : null,
          submittedAt: opts.draft ? null : new Date(),
        });
        // Two identical posts at the same moment: the second finds the first's claim.
        if (!claim) throw new ConflictError('This form was already sent. Reload the page to make another claim.');
        await repo.insertParts(
          tx,
          claim.id,
          items.map(({ price: _p, ...row }) => row),
          expenseRows,
        );
        if (!opts.draft) await recordSubmitted(tx, actor, claim);
        return { claim, repeated: false, discarded };
      });
      if (result.repeated) await removeFiles(stored);
      await removeFiles(result.discarded);
      return { claim: result.claim, repeated: result.repeated };
    } catch (err) {
      await removeFiles(stored);
      throw err;
    }
  }

  async function recordSubmitted(tx: Executor, actor: Actor, claim: Claim) {
    await repo.addUpdate(tx, { claimId: claim.id, status: 'submitted', note: null, byPerson: actor.personId });
    await deps.audit.insert(tx, {
      actorId: actor.personId,
      action: 'claim.submitted',
      subjectType: 'claim',
      subjectId: claim.id,
      details: { onBehalf: !!claim.madeBy },
    });
  }

  return {
    /** A claim for the person to check before sending it; it replaces any draft this maker had for them. */
    prepareDraft: (actor: Actor, input: ClaimInput, opts: { submissionKey?: string; replaces?: string } = {}) =>
      createClaim(actor, input, { ...opts, draft: true }),

    /** A claim sent at once (the API, and demo data). */
    submitClaim: (actor: Actor, input: ClaimInput, opts: { submissionKey?: string } = {}) =>
      createClaim(actor, input, { ...opts, draft: false }),

    /** The checked draft is sent. Sending it twice (a double click) is one claim. */
    async submitDraft(actor: Actor, id: string): Promise<Claim> {
      const c = await mustSeeMaker(actor, id);
      if (c.status !== 'draft') return c;
      return db.transaction(async (tx) => {
        await repo.lockPerson(tx, c.personId!);
        const now = await repo.find(tx, id, { lock: true });
        if (!now) throw new NotFoundError('No claim with that id');
        if (now.status !== 'draft') return now;
        const claimed = await repo.claimedSources(tx, c.personId!);
        const items = await repo.itemsOf(tx, [id]);
        const taken = items.find((i) => i.sourceId && claimed.has(`${i.sourceType}:${i.sourceId}`));
        if (taken) throw new ConflictError(`“${taken.description}” is already in another claim. Go back and take it out of this one.`);
        // What the draft claims may have changed since it was made: a meeting cancelled, an
        // attendance taken back, a session made shorter or moved. Check each again as it is now.
        const attended = await attendedOf(c.personId!, tx);
        for (const i of items) {
          if (!i.sourceId) continue;
          const found = attended.get(`${i.sourceType}:${i.sourceId}`);
          const what = `“${i.description}” on ${dayWords(i.onDate)}`;
          if (!found)
            throw new ConflictError(
              `${what} is no longer recorded as attended, or did not go ahead. Go back and take it out of this claim.`,
            );
          if (found.date !== i.onDate)
            throw new ConflictError(`${what} has moved to ${dayWords(found.date)}. Go back and choose it again.`);
          if (i.minutes > found.maxMinutes)
            throw new ConflictError(
              `${what} is now ${hoursWords(found.scheduledMinutes)} long: claim at most ${hoursWords(found.maxMinutes)} for it. Go back and change the hours.`,
            );
        }
        const overDay = await dayCapErrors(
          tx,
          c.personId!,
          items.map((i) => ({ date: i.onDate, minutes: i.minutes })),
        );
        if (overDay.length) throw new ConflictError(`${overDay[0]!.message}. Go back and change the hours.`);
        await repo.submitDraft(tx, id);
        const sent = (await repo.find(tx, id))!;
        await recordSubmitted(tx, actor, sent);
        return sent;
      });
    },

    async discardDraft(actor: Actor, id: string): Promise<void> {
      const c = await mustSeeMaker(actor, id);
      if (c.status !== 'draft') throw new ConflictError('This claim has been sent, so it cannot be deleted');
      const keys = await db.transaction(async (tx) => {
        const keys = await repo.receiptKeysOf(tx, [id]);
        await repo.deleteClaims(tx, [id]);
        return keys;
      });
      await removeFiles(keys);
    },

    /** People to claim for, by name, email or organisation. */
    findPeople: (q: string) => people.list({ search: q, limit: 20 }),
    findPerson: (personId: string) => mustFindPerson(personId),
  };
}

/**
 * What a claim's form or API call said, as a hash: the same key with the same hash is a repeat.
 * Receipts count by their bytes, so a double click with the same photo is still the same claim.
 */
function inputHash(input: ClaimInput, madeBy: string | null, replaces: string | undefined): string {
  const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
  return sha(
    JSON.stringify({
      personId: input.personId,
      madeBy,
      replaces: replaces ?? null,
      items: input.items.map((i) => [i.activity, i.date, i.minutes, i.sourceType ?? null, i.sourceId ?? null, i.description ?? null]),
      expenses: input.expenses.map((e) => [
        e.kind,
        e.amountPence,
        e.note ?? null,
        e.receipt ? [e.receipt.name, e.receipt.contentType, sha(e.receipt.data)] : null,
        e.keepReceiptOf ?? null,
      ]),
      payAs: input.payAs,
      financeHasBankDetails: input.financeHasBankDetails,
      note: input.note ?? null,
    }),
  );
}
