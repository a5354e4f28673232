import type { ApplicationStatus, Experience } from '../../db/schema.ts';
import { plural } from '../../lib/plural.ts';

/** Where an application can go next. Declined, unsuccessful and withdrawn are final. */
export const NEXT_STATUSES: Record<ApplicationStatus, readonly ApplicationStatus[]> = {
  applied: ['shortlisted', 'waiting', 'unsuccessful', 'withdrawn'],
  shortlisted: ['offered', 'waiting', 'unsuccessful', 'withdrawn'],
  waiting: ['offered', 'shortlisted', 'unsuccessful', 'withdrawn'],
  offered: ['accepted', 'declined', 'withdrawn'],
  accepted: ['withdrawn'],
  declined: [],
  unsuccessful: [],
  withdrawn: [],
};

export const STATUS_LABELS: Record<ApplicationStatus, string> = {
  applied: 'Applied',
  shortlisted: 'Shortlisted',
  waiting: 'On the waiting list',
  offered: 'Offered a place',
  accepted: 'Accepted a place',
  declined: 'Said no to the place',
  unsuccessful: 'Not offered a place',
  withdrawn: 'Withdrawn',
};

/** Statuses that hold one of the cohort's places. */
export const HOLDS_PLACE: readonly ApplicationStatus[] = ['offered', 'accepted'];

/** Why a move is not allowed, in words that say what would be needed; null when it is allowed. */
export function refuseMove(from: ApplicationStatus, to: ApplicationStatus): string | null {
  if (from === to) return null;
  if (NEXT_STATUSES[from].includes(to)) return null;
  if (NEXT_STATUSES[from].length === 0) return `This application is ${STATUS_LABELS[from].toLowerCase()}, so it cannot change any more`;
  if (to === 'accepted' || to === 'declined')
    return `Only a place that has been offered can be accepted or declined; this application is ${STATUS_LABELS[from].toLowerCase()}`;
  if (to === 'offered') return 'Shortlist the application, or put it on the waiting list, before offering a place';
  return `An application that is ${STATUS_LABELS[from].toLowerCase()} cannot become ${STATUS_LABELS[to].toLowerCase()}`;
}

export interface Holder {
  experience: Experience;
  organisation: string | null;
  answers: Record<string, unknown>;
}

export interface TrackedQuestion {
  key: string;
  text: string;
  options: readonly string[];
}

export interface Mix {
  places: number;
  held: number;
  lived: number;
  professional: number;
  both: number;
  /** Places for people with lived experience ("lived" or "both") that the target asks for. */
  livedTarget: number | null;
  livedTargetShare: number | null;
  /** The most places that can go to professionals and still meet the target. */
  professionalRoom: number | null;
  organisations: { name: string; count: number }[];
  tracked: { key: string; text: string; counts: { option: string; count: number }[] }[];
}

/** The mix of the people holding or offered a place, against the programme's target. */
export function mixOf(holders: Holder[], opts: { places: number; livedMinShare: number | null; tracked: TrackedQuestion[] }): Mix {
  const count = (e: Experience) => holders.filter((h) => h.experience === e).length;
  const livedTarget = opts.livedMinShare === null ? null : Math.ceil(opts.livedMinShare * opts.places);
  const orgs = new Map<string, number>();
  for (const h of holders) {
    const name = h.organisation?.trim() || (h.experience === 'lived' ? 'No organisation (lived experience)' : 'Organisation not given');
    orgs.set(name, (orgs.get(name) ?? 0) + 1);
  }
  return {
    places: opts.places,
    held: holders.length,
    lived: count('lived'),
    professional: count('professional'),
    both: count('both'),
    livedTarget,
    livedTargetShare: opts.livedMinShare,
    professionalRoom: livedTarget === null ? null : opts.places - livedTarget,
    organisations: [...orgs].map(([name, n]) => ({ name, count: n })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    tracked: opts.tracked.map((q) => ({
      key: q.key,
      text: q.text,
      counts: [...q.options, 'Not answered'].map((option) => ({
        option,
        count: holders.filter((h) => {
          const v = h.answers[q.key];
          if (option === 'Not answered') return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
          return Array.isArray(v) ? v.includes(option) : v === option;
        }).length,
      })),
    })),
  };
}

/**
 * Offering a place to someone is always allowed, but if it leaves too few places for people
 * with lived experience to meet the target, the organiser is told first.
 */
export function mixWarning(mix: Mix, experience: Experience): string | null {
  if (mix.professionalRoom === null || experience !== 'professional') return null;
  if (mix.professional + 1 <= mix.professionalRoom) return null;
  return `The target is at least ${mix.livedTarget} of ${plural(mix.places, 'place')} for people with lived experience. Offering this place to a professional means ${plural(mix.professional + 1, 'professional')}, so at most ${plural(mix.places - mix.professional - 1, 'place')} can go to people with lived experience.`;
}

export interface GraduationRule {
  minSessionsAttended: number;
  projectRequired: boolean;
}

export interface MemberRecord {
  workshops: number;
  attendedWorkshops: number;
  project: { title: string; presentedAt: Date | null } | null;
}

/** Whether a member has met the programme's graduation rule, and if not, each reason why. */
export function graduationCheck(rule: GraduationRule, m: MemberRecord): { met: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (m.attendedWorkshops < rule.minSessionsAttended) {
    reasons.push(
      `Came to ${m.attendedWorkshops} of ${m.workshops} workshop day${m.workshops === 1 ? '' : 's'}; needs ${rule.minSessionsAttended}`,
    );
  }
  if (rule.projectRequired) {
    if (!m.project) reasons.push('Is not in a group project');
    else if (!m.project.presentedAt) reasons.push(`Their project “${m.project.title}” has not been presented yet`);
  }
  return { met: reasons.length === 0, reasons };
}

/** A project's mix: co-production needs both lived experience and a professional in it. */
export function projectFlags(members: { experience: Experience }[]): string[] {
  const flags: string[] = [];
  if (!members.some((m) => m.experience === 'lived' || m.experience === 'both')) flags.push('No one with lived experience');
  if (!members.some((m) => m.experience === 'professional' || m.experience === 'both')) flags.push('No professional');
  return flags;
}
