import type { Db, Executor } from '../../db/client.ts';
import type { Person, Role } from '../../db/schema.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';
import type { AuditRepository } from '../audit/audit-repository.ts';
import type { ConsentsRepository } from '../consents/consents-repository.ts';
import { personColumns, type PeopleRepository } from './people-repository.ts';
import type { PersonInput, PersonOut } from './people-schemas.ts';

/** Who is acting: a signed-in person or an API token's owner. */
export interface Actor {
  personId: string;
  role: Role;
}

const STAFF_ROLES: readonly Role[] = ['admin', 'staff'];
export const isStaff = (actor: Actor | null | undefined) => !!actor && STAFF_ROLES.includes(actor.role);

const UNIQUE_VIOLATION = '23505';
export function isUniqueViolation(err: unknown): boolean {
  let e: unknown = err;
  // drizzle wraps driver errors; the PostgreSQL code sits on the cause.
  while (e && typeof e === 'object') {
    if ((e as { code?: string }).code === UNIQUE_VIOLATION) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

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

export function createPeopleService(deps: {
  db: Db;
  people: PeopleRepository;
  consents: ConsentsRepository;
  audit: AuditRepository;
  /** What other modules hold about a person and drop on erasure (sign-in credentials, programme records). */
  forgetElsewhere: ((ex: Executor, personId: string) => Promise<void>)[];
}) {
  const { db, people, consents, audit } = deps;

  async function mustFind(ex: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Person> {
    const person = await people.findById(ex, id, opts);
    if (!person || person.erasedAt) throw new NotFoundError('No one with that id');
    return person;
  }

  /** Adds a person inside a transaction someone else holds (registering someone new, say). */
  async function createIn(tx: Executor, actor: Actor | null, input: PersonInput, extra: { role?: Role; isDemo?: boolean } = {}): Promise<Person> {
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
    createIn,

    async create(actor: Actor | null, input: PersonInput, extra: { role?: Role; isDemo?: boolean } = {}): Promise<Person> {
      try {
        return await db.transaction((tx) => createIn(tx, actor, input, extra));
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('Someone with this email address is already here');
        throw err;
      }
    },

    async update(actor: Actor, id: string, input: PersonInput): Promise<Person> {
      try {
        return await db.transaction(async (tx) => {
          const before = await mustFind(tx, id, { forUpdate: true });
          const fields = changedFields(before, input);
          const after = (await people.update(tx, id, input))!;
          if (fields.length) {
            await audit.insert(tx, { actorId: actor.personId, action: 'person.updated', subjectType: 'person', subjectId: id, details: { fields } });
          }
          return after;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('Someone with this email address is already here');
        throw err;
      }
    },

    /** Plain look-up for the person themselves or for internal use; no audit entry. */
    async get(id: string): Promise<Person> {
      return mustFind(db, id);
    },

    /** Staff reading someone's record see their access needs, so the reading is audited. */
    async viewAsStaff(actor: Actor, id: string, via: 'web' | 'api'): Promise<Person> {
      const person = await mustFind(db, id);
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

    findActiveByEmail(email: string) {
      return people.findActiveByEmail(db, email);
    },

    async setRole(actor: Actor, id: string, role: Role): Promise<Person> {
      return db.transaction(async (tx) => {
        await people.lockRoles(tx);
        const before = await mustFind(tx, id, { forUpdate: true });
        if (before.role === role) return before;
        if (before.role === 'admin' && (await people.countActiveWithRole(tx, 'admin')) <= 1) {
          throw new ConflictError('There must always be at least one organisation admin');
        }
        const after = (await people.setRole(tx, id, role))!;
        await audit.insert(tx, { actorId: actor.personId, action: 'role.changed', subjectType: 'person', subjectId: id, details: { from: before.role, to: role } });
        return after;
      });
    },

    async requestErasure(actor: Actor, personId: string) {
      await db.transaction(async (tx) => {
        const person = await mustFind(tx, personId, { forUpdate: true });
        if (person.erasureRequestedAt) return;
        await people.setErasureRequested(tx, personId, new Date());
        await audit.insert(tx, { actorId: actor.personId, action: 'person.erasure_requested', subjectType: 'person', subjectId: personId });
      });
    },

    async cancelErasureRequest(actor: Actor, personId: string) {
      await db.transaction(async (tx) => {
        const person = await mustFind(tx, personId, { forUpdate: true });
        if (!person.erasureRequestedAt) return;
        await people.setErasureRequested(tx, personId, null);
        await audit.insert(tx, { actorId: actor.personId, action: 'person.erasure_cancelled', subjectType: 'person', subjectId: personId });
      });
    },

    listErasureRequests() {
      return people.listErasureRequests(db);
    },

    /** Staff confirm an erasure request: everything that identifies the person goes, in one transaction. */
    async confirmErasure(actor: Actor, personId: string) {
      await db.transaction(async (tx) => {
        await people.lockRoles(tx);
        const person = await mustFind(tx, personId, { forUpdate: true });
        if (!person.erasureRequestedAt) throw new ConflictError('This person has not asked for their data to be erased');
        if (person.role === 'admin' && (await people.countActiveWithRole(tx, 'admin')) <= 1) {
          throw new ConflictError('The only organisation admin cannot be erased; make someone else an admin first');
        }
        await people.anonymise(tx, personId);
        await consents.deleteForPerson(tx, personId);
        for (const forget of deps.forgetElsewhere) await forget(tx, personId);
        await audit.insert(tx, { actorId: actor.personId, action: 'person.erased', subjectType: 'person', subjectId: personId });
      });
    },

    /** Everything held about a person, for their own download. */
    async exportFor(personId: string) {
      const person = await mustFind(db, personId);
      const [consentHistory, auditEntries] = await Promise.all([
        consents.history(db, personId),
        audit.list(db, { subjectType: 'person', subjectId: personId, limit: 10_000 }),
      ]);
      return {
        exportedAt: new Date().toISOString(),
        person: toPersonOut(person),
        consents: consentHistory.map((c) => ({
          purpose: c.purpose,
          wording: c.wording,
          givenAt: c.givenAt.toISOString(),
          withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
        })),
        activity: auditEntries.map((a) => ({ at: a.at.toISOString(), action: a.action, details: a.details })),
      };
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
