import { isUniqueViolation } from '../../db/ids.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { Config } from '../../config.ts';
import type { Db, Executor, Tx } from '../../db/client.ts';
import type { Person, Role } from '../../db/schema.ts';
import { hmac, safeEqual } from '../../lib/tokens.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/validation.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EmailComposers, EmailRequest } from '../email/email-requests.ts';
import type { PersonalDataRegistry } from '../privacy/personal-data.ts';
import { personColumns, type PeopleRepository } from './people-repository.ts';
import type { PersonInput, PersonListItem, PersonOut } from './people-schemas.ts';

/** admin > staff > facilitator > participant: nobody acts on the record of someone above them. */
const ROLE_RANK: Record<Role, number> = { admin: 3, staff: 2, facilitator: 1, participant: 0 };
export const outranks = (role: Role, other: Role) => ROLE_RANK[role] > ROLE_RANK[other];

/** Why someone may not change another person's record, or null when they may. */
export function refusalToManage(actor: Actor, subject: Pick<Person, 'id' | 'role'>): string | null {
  if (actor.personId === subject.id) return null;
  if (outranks(subject.role, actor.role)) return 'You cannot change the record of someone whose role is higher than yours.';
  return null;
}

/** How long the link that confirms a new email address works. */
const EMAIL_CHANGE_HOURS = 24;

export type EmailChangeOutcome = 'none' | 'pending' | 'removed';

/** Names of the fields an update changes: what the audit log records, never the values. */
function changedFields(before: Person, input: PersonInput): string[] {
  const after = personColumns(input);
  const same = (a: unknown, b: unknown) => (Array.isArray(a) && Array.isArray(b) ? [...a].sort().join() === [...b].sort().join() : a === b);
  return (Object.keys(after) as (keyof typeof after)[]).filter((k) => !same(after[k], before[k]));
}

export function toPersonOut(p: Person): PersonOut {
  return {
    id: p.id,
    name: p.name,
    labelName: p.labelName,
    pronouns: p.pronouns,
    experience: p.experience,
    organisation: p.organisation,
    email: p.email,
    phone: p.phone,
    postalAddress: p.postalAddress,
    contactPreference: p.contactPreference,
    accessNeeds: p.accessNeeds,
    accessNotes: p.accessNotes,
    bio: p.bio,
    role: p.role,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function toPersonListItem(p: Person): PersonListItem {
  const { accessNeeds: _needs, accessNotes: _notes, ...rest } = toPersonOut(p);
  return rest;
}

export function createPeopleService(deps: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'branding'>;
  /** Signs the link that confirms a new email address. */
  secret: string;
  people: PeopleRepository;
  audit: AuditTrail;
  /** What every module holds about a person: the download and erasure walk it. Bound late: it names other modules. */
  personalData: () => PersonalDataRegistry;
  /** Ends a person's sessions, sign-in links and API tokens (their address changed). */
  endAccess: (tx: Tx, personId: string) => Promise<void>;
  sendEmail: (request: EmailRequest) => Promise<void>;
}) {
  const { db, people, audit } = deps;
  const emailChangeToken = (p: Pick<Person, 'id' | 'pendingEmail' | 'emailChangeRequestedAt'>) =>
    hmac(deps.secret, `email-change:${p.id}:${(p.pendingEmail ?? '').toLowerCase()}:${p.emailChangeRequestedAt?.getTime() ?? 0}`);
  const emailChangeExpired = (p: Pick<Person, 'emailChangeRequestedAt'>) =>
    !p.emailChangeRequestedAt || Date.now() - p.emailChangeRequestedAt.getTime() > EMAIL_CHANGE_HOURS * 3_600_000;

  function mustMayManage(actor: Actor, subject: Person) {
    const refusal = refusalToManage(actor, subject);
    if (refusal) throw new ForbiddenError(refusal);
  }

  /** The two emails of an address change, written when they are sent. */
  const composers: EmailComposers = {
    'email-change-confirm': async ({ personId }) => {
      const p = personId ? await people.findById(db, personId) : undefined;
      if (!p?.pendingEmail || p.erasedAt || emailChangeExpired(p)) return null;
      const link = `${deps.config.publicUrl}/email-change/${p.id}?token=${emailChangeToken(p)}`;
      return {
        to: p.pendingEmail,
        kind: 'email-change-confirm',
        subject: `Confirm your new email address for ${deps.config.branding.serviceName}`,
        text: [
          `Hello ${p.name},`,
          '',
          `Someone asked to use this email address for your ${deps.config.branding.serviceName} account. To say yes, use this link:`,
          link,
          '',
          `The link works for ${EMAIL_CHANGE_HOURS} hours. Until you use it, we keep writing to your old address.`,
          'If you did not expect this, ignore this email and nothing changes.',
          '',
          deps.config.branding.orgName,
        ].join('\n'),
      };
    },
    'email-change-notice': async ({ personId }) => {
      const p = personId ? await people.findById(db, personId) : undefined;
      if (!p?.email || p.erasedAt) return null;
      return {
        to: p.email,
        kind: 'email-change-notice',
        subject: `Your email address for ${deps.config.branding.serviceName} is being changed`,
        text: [
          `Hello ${p.name},`,
          '',
          `Someone asked to change the email address of your ${deps.config.branding.serviceName} account. The new address must be confirmed before it is used.`,
          '',
          'If this was not you, or you did not ask for it, reply to this email or call us straight away. Until the new address is confirmed, you still sign in with this one.',
          '',
          deps.config.branding.orgName,
        ].join('\n'),
      };
    },
  };

  async function mustFind(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Person> {
    const person = await people.findById(ex, id, opts);
    if (!person || person.erasedAt) throw new NotFoundError('No one with that id');
    return person;
  }

  /** Adds a person inside a transaction someone else holds (registering someone new, say). */
  async function createIn(
    tx: Executor,
    actor: Actor | null,
    input: PersonInput,
    extra: { role?: Role; isDemo?: boolean } = {},
  ): Promise<Person> {
    const person = await people.insert(tx, input, { createdBy: actor?.personId ?? null, ...extra });
    await audit.insert(tx, {
      actorId: actor?.personId ?? null,
      action: 'person.created',
      subjectType: 'person',
      subjectId: person.id,
      details: { fields: Object.keys(input).filter((k) => input[k as keyof PersonInput] !== undefined), role: person.role },
    });
    return person;
  }

  return {
    composers,
    createIn,

    async create(actor: Actor | null, input: PersonInput, extra: { role?: Role; isDemo?: boolean } = {}): Promise<Person> {
      try {
        return await db.transaction((tx) => createIn(tx, actor, input, extra));
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('Someone with this email address is already here');
        throw err;
      }
    },

    /**
     * Changes someone's details. A new email address is not used until a link sent to it is
     * used (the old address is told), so nobody can move an account to an address they hold.
     */
    async update(actor: Actor, id: string, input: PersonInput): Promise<{ person: Person; emailChange: EmailChangeOutcome }> {
      try {
        const outcome = await db.transaction(async (tx) => {
          const before = await mustFind(tx, id, { forUpdate: true });
          mustMayManage(actor, before);
          const newEmail = input.email?.trim() || null;
          const emailChanges = (newEmail ?? '').toLowerCase() !== (before.email ?? '').toLowerCase();
          const emailChange: EmailChangeOutcome = !emailChanges ? 'none' : newEmail ? 'pending' : 'removed';
          // The address itself changes only here when it is removed; a new one waits for its link.
          const kept = { ...input, email: emailChange === 'pending' ? (before.email ?? undefined) : (newEmail ?? undefined) };
          const fields = changedFields(before, kept);
          let after = (await people.update(tx, id, kept))!;
          if (emailChange === 'pending') {
            const taken = await people.findActiveByEmail(tx, newEmail!);
            if (taken && taken.id !== id) throw new ConflictError('Someone with this email address is already here');
            after = (await people.setPendingEmail(tx, id, newEmail, new Date()))!;
            fields.push('pendingEmail');
          } else if (before.pendingEmail && emailChange === 'removed') {
            after = (await people.setPendingEmail(tx, id, null, null))!;
          }
          if (fields.length) {
            await audit.insert(tx, {
              actorId: actor.personId,
              action: 'person.updated',
              subjectType: 'person',
              subjectId: id,
              details: { fields },
            });
          }
          return { person: after, emailChange, hadEmail: !!before.email };
        });
        if (outcome.emailChange === 'pending') {
          await deps.sendEmail({ kind: 'email-change-confirm', ref: { personId: id } });
          if (outcome.hadEmail) await deps.sendEmail({ kind: 'email-change-notice', ref: { personId: id } });
        }
        return { person: outcome.person, emailChange: outcome.emailChange };
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('Someone with this email address is already here');
        throw err;
      }
    },

    /** Whether a link to confirm a new address is still good (the page shows a button to use it). */
    async checkEmailChange(personId: string, token: string): Promise<Person | null> {
      const p = await people.findById(db, personId);
      if (!p?.pendingEmail || p.erasedAt || emailChangeExpired(p) || !safeEqual(token, emailChangeToken(p))) return null;
      return p;
    },

    /** The new address's owner used the link: it becomes the address, and every way in so far ends. */
    async confirmEmailChange(personId: string, token: string): Promise<Person | null> {
      try {
        return await db.transaction(async (tx) => {
          const p = await people.findById(tx, personId, { forUpdate: true });
          if (!p?.pendingEmail || p.erasedAt || emailChangeExpired(p) || !safeEqual(token, emailChangeToken(p))) return null;
          const taken = await people.findActiveByEmail(tx, p.pendingEmail);
          if (taken && taken.id !== p.id) throw new ConflictError('Someone else now uses this email address, so it cannot be yours too');
          const after = (await people.applyPendingEmail(tx, p.id))!;
          await deps.endAccess(tx, p.id);
          await audit.insert(tx, {
            actorId: p.id,
            action: 'person.email_changed',
            subjectType: 'person',
            subjectId: p.id,
            details: { fields: ['email'] },
          });
          return after;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('Someone else now uses this email address, so it cannot be yours too');
        throw err;
      }
    },

    /** Plain look-up for the person themselves or for internal use; no audit entry. */
    async get(id: string): Promise<Person> {
      return mustFind(db, id);
    },

    /** Staff reading someone's record see their access needs, so the reading is audited. */
    async viewAsStaff(actor: Actor, id: string, via: 'web' | 'api', opts: { toChange?: boolean } = {}): Promise<Person> {
      const person = await mustFind(db, id);
      // Opening someone's record to change it is refused before anything is shown or logged.
      if (opts.toChange) mustMayManage(actor, person);
      await audit.insert(db, {
        actorId: actor.personId,
        action: 'person.access_needs.viewed',
        subjectType: 'person',
        subjectId: id,
        details: { via },
      });
      return person;
    },

    list(opts: { search?: string; after?: { name: string; id: string }; limit: number }) {
      return people.list(db, opts);
    },

    /** How many people there are (a first start seeds demo data only into an empty database). */
    count: () => people.count(db),

    /** Other modules' look-ups, inside their own transaction when they pass one. */
    findActiveByEmail(email: string, ex: Executor = db) {
      return people.findActiveByEmail(ex, email);
    },
    findById(id: string, ex: Executor = db, opts: { forUpdate?: boolean } = {}) {
      return people.findById(ex, id, opts);
    },
    namesByIds(ids: string[], ex: Executor = db) {
      return people.namesByIds(ex, ids);
    },

    async setRole(actor: Actor, id: string, role: Role): Promise<Person> {
      return db.transaction(async (tx) => {
        await people.lockRoles(tx);
        const before = await mustFind(tx, id, { forUpdate: true });
        mustMayManage(actor, before);
        if (outranks(role, actor.role)) throw new ForbiddenError('You cannot give someone a role higher than your own.');
        if (before.role === role) return before;
        if (before.role === 'admin' && (await people.countActiveWithRole(tx, 'admin')) <= 1) {
          throw new ConflictError('There must always be at least one organisation admin');
        }
        const after = (await people.setRole(tx, id, role))!;
        await audit.insert(tx, {
          actorId: actor.personId,
          action: 'role.changed',
          subjectType: 'person',
          subjectId: id,
          details: { from: before.role, to: role },
        });
        return after;
      });
    },

    /**
     * A role given by an organisation's identity provider from its groups (OIDC_*_GROUPS), at
     * sign-in, inside its transaction. The last admin keeps the role, as they would here.
     */
    async setRoleFromIdentityProvider(tx: Executor, person: Person, role: Role, provider: string): Promise<Person> {
      if (person.role === role) return person;
      await people.lockRoles(tx);
      if (person.role === 'admin' && (await people.countActiveWithRole(tx, 'admin')) <= 1) return person;
      const after = (await people.setRole(tx, person.id, role))!;
      await audit.insert(tx, {
        actorId: null,
        action: 'role.changed',
        subjectType: 'person',
        subjectId: person.id,
        details: { from: person.role, to: role, by: provider },
      });
      return after;
    },

    /** Asked for by the person, or recorded by staff for someone who asked by phone or post. */
    async requestErasure(actor: Actor, personId: string) {
      await db.transaction(async (tx) => {
        const person = await mustFind(tx, personId, { forUpdate: true });
        mustMayManage(actor, person);
        if (person.erasureRequestedAt) return;
        await people.setErasureRequested(tx, personId, { at: new Date(), by: actor.personId });
        await audit.insert(tx, { actorId: actor.personId, action: 'person.erasure_requested', subjectType: 'person', subjectId: personId });
      });
    },

    async cancelErasureRequest(actor: Actor, personId: string) {
      await db.transaction(async (tx) => {
        const person = await mustFind(tx, personId, { forUpdate: true });
        mustMayManage(actor, person);
        if (!person.erasureRequestedAt) return;
        await people.setErasureRequested(tx, personId, null);
        await audit.insert(tx, { actorId: actor.personId, action: 'person.erasure_cancelled', subjectType: 'person', subjectId: personId });
      });
    },

    /** Waiting requests, each with who recorded it: the confirmer must be someone else. */
    async listErasureRequests() {
      const rows = await people.listErasureRequests(db);
      const names = await people.namesByIds(
        db,
        rows.flatMap((r) => (r.erasureRequestedBy && r.erasureRequestedBy !== r.id ? [r.erasureRequestedBy] : [])),
      );
      return rows.map((r) => ({
        ...r,
        recordedBy: r.erasureRequestedBy && r.erasureRequestedBy !== r.id ? (names.get(r.erasureRequestedBy) ?? 'a member of staff') : null,
      }));
    },

    /**
     * A member of staff confirms an erasure request: everything that identifies the person goes,
     * in one transaction, through every module's personal data. Two people are always involved:
     * the person (or the member of staff who recorded their request) and a different confirmer.
     */
    async confirmErasure(actor: Actor, personId: string) {
      const erased = await db.transaction(async (tx) => {
        await people.lockRoles(tx);
        const person = await mustFind(tx, personId, { forUpdate: true });
        if (!person.erasureRequestedAt) throw new ConflictError('This person has not asked for their data to be erased');
        if (actor.personId === person.id) throw new ForbiddenError('A different member of staff must confirm your own erasure.');
        if (person.erasureRequestedBy === actor.personId)
          throw new ForbiddenError('You recorded this request, so a different member of staff must confirm it.');
        if (isStaff({ personId: person.id, role: person.role }) && actor.role !== 'admin')
          throw new ForbiddenError('Only an organisation admin can erase a member of staff or an admin.');
        mustMayManage(actor, person);
        if (person.role === 'admin' && (await people.countActiveWithRole(tx, 'admin')) <= 1) {
          throw new ConflictError('The only organisation admin cannot be erased; make someone else an admin first');
        }
        await deps.personalData().forgetAll(tx, person);
        await audit.insert(tx, { actorId: actor.personId, action: 'person.erased', subjectType: 'person', subjectId: personId });
        return person;
      });
      await deps.personalData().afterForgetAll(erased);
    },

    /** Everything held about a person, for their own download: every module's part. */
    async exportFor(personId: string) {
      await mustFind(db, personId);
      return { exportedAt: new Date().toISOString(), ...(await deps.personalData().exportAll(db, personId)) };
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;

/** What other modules may ask of people: look-ups, inside their own transaction when they pass one. */
export type PeopleLookup = Pick<PeopleService, 'findById' | 'findActiveByEmail' | 'namesByIds'>;
