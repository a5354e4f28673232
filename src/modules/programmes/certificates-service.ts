import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { Certificate, Cohort, Programme } from '../../db/schema.ts';
import { londonDay } from '../../lib/dates.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { PeopleLookup } from '../people/people-service.ts';
import { renderCertificate } from './certificate-pdf.ts';
import type { CohortRepository } from './cohort-repository.ts';
import type { CohortService } from './cohort-service.ts';
import type { ProgrammesRepository } from './programmes-repository.ts';
import { signCredential, verifyCredential, type SigningKey } from './credential.ts';
import { graduationEmail } from './programme-emails.ts';
import { newSerial, normaliseSerial } from './serial.ts';
import type { Actor } from '../../plugins/access.ts';

export const OB3_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];

export function ruleText(p: Pick<Programme, 'minSessionsAttended' | 'projectRequired'>): string {
  const parts: string[] = [];
  if (p.minSessionsAttended > 0)
    parts.push(`attended at least ${p.minSessionsAttended} workshop day${p.minSessionsAttended === 1 ? '' : 's'}`);
  if (p.projectRequired) parts.push('presented a group project');
  return parts.length ? `Graduates ${parts.join(' and ')}.` : 'Graduates completed the programme.';
}

/** Public status of a certificate: what anyone holding the serial may learn, and nothing more. */
export function publicCertificate(c: Certificate) {
  return {
    serial: c.serial,
    name: c.name,
    achievement: c.achievement,
    issuedOn: c.issuedOn,
    issuer: c.issuer,
    status: c.revokedAt ? ('revoked' as const) : ('valid' as const),
  };
}

/** Graduation, certificates, their signed Open Badges 3.0 credentials, checking and revoking them. */
export function createCertificatesService(deps: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'branding'>;
  key: SigningKey;
  cohort: CohortRepository;
  programmes: Pick<ProgrammesRepository, 'findCohort' | 'setGraduated'>;
  cohortService: Pick<CohortService, 'graduationReportIn'>;
  audit: AuditTrail;
  people: Pick<PeopleLookup, 'findById'>;
  jobs: Pick<Jobs, 'sendEmail'>;
}) {
  const { db, config, cohort: repo } = deps;
  const base = config.publicUrl;
  const issuerId = `${base}/api/v1/issuer`;
  const verifyUrl = (serial: string) => `${base}/certificates/${serial}`;

  const composers: EmailComposers = {
    graduation: async ({ certificateId }) => {
      const certificate = certificateId ? await repo.findCertificateById(db, certificateId) : undefined;
      if (!certificate?.personId || certificate.revokedAt) return null;
      const [person, cohort] = await Promise.all([
        deps.people.findById(certificate.personId, db),
        deps.programmes.findCohort(db, certificate.cohortId),
      ]);
      if (!person?.email || person.erasedAt || !cohort) return null;
      return graduationEmail({
        to: person.email,
        name: certificate.name,
        programmeTitle: certificate.achievement,
        cohortName: cohort.name,
        certificateUrl: verifyUrl(certificate.serial),
        orgName: config.branding.orgName,
      });
    },
  };

  function credentialFor(c: { serial: string; name: string; issuedOn: string }, programme: Programme, cohort: Cohort, issuedAt: Date) {
    return signCredential(
      {
        '@context': OB3_CONTEXT,
        id: verifyUrl(c.serial),
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        name: `${programme.title}, ${cohort.name}`,
        issuer: { id: issuerId, type: ['Profile'], name: config.branding.orgName, url: base },
        validFrom: `${c.issuedOn}T00:00:00Z`,
        credentialSubject: {
          type: ['AchievementSubject'],
          // The name the person chose, and nothing else about them.
          identifier: [{ type: 'IdentityObject', identityHash: c.name, identityType: 'name', hashed: false }],
          achievement: {
            id: `${base}/programmes/${programme.id}#achievement`,
            type: ['Achievement'],
            achievementType: 'Certificate',
            name: programme.title,
            description: programme.summary,
            criteria: { narrative: ruleText(programme) },
          },
        },
      },
      deps.key,
      issuedAt,
    );
  }

  async function mustFind(serialText: string): Promise<Certificate> {
    const serial = normaliseSerial(serialText);
    const found = serial ? await repo.findCertificate(db, serial) : undefined;
    if (!found) throw new NotFoundError('We have no certificate with that number');
    return found;
  }

  return {
    composers,
    verifyUrl,
    issuerProfile: () => ({
      '@context': OB3_CONTEXT,
      id: issuerId,
      type: ['Profile'],
      name: config.branding.orgName,
      url: base,
      verificationMethod: [
        { id: deps.key.verificationMethod, type: 'Multikey', controller: deps.key.did, publicKeyMultibase: deps.key.publicKeyMultibase },
      ],
    }),

    /**
     * Graduates a cohort, once: everyone who met the rule gets a certificate and a signed
     * credential; the others are listed with the reasons. The cohort row is locked, so two
     * clicks (or two API calls) graduate it once and the second is told it already happened.
     */
    async graduate(actor: Actor, cohortId: string, opts: { at?: Date; expected?: string[] } = {}) {
      const outcome = await db.transaction(async (tx) => {
        const cohort = await deps.programmes.findCohort(tx, cohortId, { forUpdate: true });
        if (!cohort) throw new NotFoundError('No cohort with that id');
        if (cohort.graduatedAt)
          throw new ConflictError(`This cohort graduated on ${londonDay(cohort.graduatedAt)}; its certificates have already been issued`);
        const report = await deps.cohortService.graduationReportIn(cohortId, tx);
        if (report.rows.length === 0) throw new ConflictError('No one has accepted a place in this cohort, so no one can graduate');
        const meeting = report.rows.filter((r) => r.met).map((r) => r.member.personId);
        // Graduating closes the cohort for good, so it is never done for nobody.
        if (meeting.length === 0)
          throw new ConflictError('No one has met the graduation rule yet, so no one can graduate. Record attendance and projects first');
        // The confirm page listed who would get a certificate; if that changed since, look again.
        if (opts.expected && (opts.expected.length !== meeting.length || meeting.some((id) => !opts.expected!.includes(id))))
          throw new ConflictError('Who has met the rule has changed since the list was shown. Check the list again before graduating');
        // `at` lets the demo record a graduation that happened in the past.
        const now = opts.at ?? new Date();
        const issuedOn = londonDay(now);
        const issued: { certificate: Certificate; email: string | null }[] = [];
        for (const row of report.rows.filter((r) => r.met)) {
          const serial = newSerial();
          const content = { serial, name: row.member.name, issuedOn };
          const certificate = await repo.insertCertificate(tx, {
            ...content,
            personId: row.member.personId,
            cohortId,
            achievement: report.programme.title,
            issuer: config.branding.orgName,
            credential: credentialFor(content, report.programme, cohort, now),
          });
          issued.push({ certificate, email: row.member.email });
        }
        await deps.programmes.setGraduated(tx, cohortId, now);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'cohort.graduated',
          subjectType: 'cohort',
          subjectId: cohortId,
          details: { graduated: issued.length, notYet: report.rows.length - issued.length },
        });
        return { report, issued, cohort };
      });
      for (const { certificate, email } of outcome.issued) {
        if (email) await deps.jobs.sendEmail({ kind: 'graduation', ref: { certificateId: certificate.id } });
      }
      return {
        graduated: outcome.issued.map((i) => i.certificate.personId!),
        notYet: outcome.report.rows.filter((r) => !r.met).map((r) => ({ personId: r.member.personId, reason: r.reasons.join('; ') })),
        certificates: outcome.issued.map((i) => ({ serial: i.certificate.serial, personId: i.certificate.personId })),
      };
    },

    get: (serial: string) => mustFind(serial),
    certificatesOf: (cohortId: string) => repo.certificatesOf(db, cohortId),
    certificatesOfPerson: (personId: string) => repo.certificatesOfPerson(db, personId),

    /** The certificate as a PDF, for a certificate already found. */
    pdf(c: Certificate, cohortName: string): Promise<Buffer> {
      return renderCertificate({ ...c, cohortName, verifyUrl: verifyUrl(c.serial), revoked: !!c.revokedAt });
    },

    /**
     * Checks a credential someone holds: the signature, that it was signed by this deployment's
     * key, that we issued it, and whether it has been revoked.
     */
    async check(credential: unknown) {
      const proof = verifyCredential(credential);
      if (!proof.ok) return { verified: false as const, reason: proof.reason };
      if (proof.verificationMethod !== deps.key.verificationMethod)
        return { verified: false as const, reason: 'The signature is valid, but it was not made by this organisation’s key' };
      const id = String((credential as { id?: unknown }).id ?? '');
      const serial = id.startsWith(`${base}/certificates/`) ? id.slice(`${base}/certificates/`.length) : '';
      const found = serial ? await repo.findCertificate(db, serial) : undefined;
      if (!found) return { verified: false as const, reason: 'We have no certificate with this credential’s number' };
      if (found.revokedAt)
        return {
          verified: false as const,
          reason: 'The credential is genuine, but the certificate has been revoked',
          certificate: publicCertificate(found),
        };
      return { verified: true as const, certificate: publicCertificate(found) };
    },

    async revoke(actor: Actor, id: string, reason: string): Promise<Certificate> {
      return db.transaction(async (tx) => {
        const c = await repo.findCertificateById(tx, id, { forUpdate: true });
        if (!c) throw new NotFoundError('No certificate with that id');
        if (c.revokedAt) throw new ConflictError('This certificate has already been revoked');
        await repo.revoke(tx, id, { reason, by: actor.personId });
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'certificate.revoked', subjectType: 'certificate', subjectId: id });
        return { ...c, revokedAt: new Date(), revokedReason: reason, revokedBy: actor.personId };
      });
    },
  };
}

export type CertificatesService = ReturnType<typeof createCertificatesService>;
