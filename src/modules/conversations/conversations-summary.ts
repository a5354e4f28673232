import { SECTORS, type Conversation, type Sector, type StoredConversationTheme } from '../../db/schema.ts';
import { toCsv } from '../../lib/csv.ts';
import type { AnalyseThemes } from '../forms/themes/analyse.ts';
import type { SentChat } from './conversations-repository.ts';
import { PROGRESS_LABELS, SECTOR_LABELS, type ConversationSummary } from './conversations-schemas.ts';

/** A published story the author agreed may be quoted in reports. */
export interface PublishedStory {
  id: string;
  title: string;
  excerpt: string;
  authorName: string | null;
}

/** A published "You said, we did" entry that came from the conversation, listed under "What changed". */
export interface WhatChangedEntry {
  id: string;
  status: 'planned' | 'doing' | 'done';
  publishedOn: string;
  youSaid: string;
  weDid: string;
  statusText: string;
  publishedOnText: string;
  theme: string | null;
}

/** The summary with "What changed" beside it (the API's summary carries the same figures). */
export type SummaryWithChanges = Omit<ConversationSummary, 'whatChanged'> & { whatChanged?: WhatChangedEntry[] };

const EXAMPLES_PER_THEME = 2;
const THIRD_SECTOR_EXAMPLES = 3;

/** What a team said to a question: for the question that asks for steps, its pledges as well. */
const answerTo = (chat: SentChat, q: Conversation['questions'][number]) =>
  [chat.answers[q.key]?.trim() ?? '', ...(q.steps ? chat.pledges.map((p) => p.text) : [])].filter(Boolean).join('\n');

/** One point a team made: a line of their notes or a sentence of it. */
export function pointsOf(answer: string): string[] {
  return answer
    .split(/\r?\n+/)
    .flatMap((line) => line.replace(/^\s*[-*•\d.)]+\s+/, '').split(/(?<=[.!?])\s+(?=[A-Z"“‘])/))
    .map((s) => s.trim())
    .filter((s) => s.split(/\s+/).length >= 3);
}

const excerpt = (text: string, max = 220) => (text.length <= max ? text : `${text.slice(0, max).replace(/\s+\S*$/, '')}…`);

/**
 * Themes per question across a conversation's chats. Teams write several points in one answer,
 * so the points are grouped and each theme counts the teams that made one of them.
 */
export async function findConversationThemes(c: Conversation, chats: SentChat[], analyse: AnalyseThemes) {
  const out: { key: string; answered: number; themes: StoredConversationTheme[] | null }[] = [];
  for (const q of c.questions) {
    const points: { chatId: string; text: string }[] = [];
    let answered = 0;
    for (const chat of chats) {
      const answer = answerTo(chat, q);
      if (!answer) continue;
      answered++;
      const found = pointsOf(answer);
      for (const text of found.length ? found : [answer]) points.push({ chatId: chat.id, text });
    }
    // Two teams' words are not yet a theme; the summary shows their answers instead.
    if (answered < 2) {
      out.push({ key: q.key, answered, themes: null });
      continue;
    }
    const themes = await analyse(
      points.map((p) => p.text),
      { subjects: 'partnership' },
    );
    out.push({
      key: q.key,
      answered,
      themes: themes.map((t) => ({
        label: t.label,
        terms: t.terms,
        chatIds: [...new Set(t.members.map((m) => points[m.index]!.chatId))],
        examples: t.members.slice(0, EXAMPLES_PER_THEME).map((m) => excerpt(points[m.index]!.text)),
      })),
    });
  }
  return out;
}

const zeroBySector = () => Object.fromEntries(SECTORS.map((s) => [s, 0])) as Record<Sector, number>;

/** What leaders see: who took part, what they said per question, what they pledged and did. */
export function buildSummary(
  c: Conversation,
  chats: SentChat[],
  themeRows: { questionKey: string; themes: StoredConversationTheme[]; foundAt: Date }[],
  stories: PublishedStory[],
): ConversationSummary {
  const bySector = zeroBySector();
  const peopleBySector = zeroBySector();
  for (const chat of chats) {
    bySector[chat.sector]++;
    peopleBySector[chat.sector] += chat.peopleCount;
  }
  const organisations = [
    ...new Map(chats.map((chat) => [chat.organisation.trim().toLowerCase(), chat.organisation.trim()])).values(),
  ].sort();
  const submitted = new Set(chats.map((chat) => chat.id));
  const themesOf = new Map(themeRows.map((r) => [r.questionKey, r.themes]));
  const pledges = chats.flatMap((chat) => chat.pledges.map((p) => ({ ...p, teamName: chat.teamName })));
  const count = (progress: string) => pledges.filter((p) => p.progress === progress).length;
  const evenBetterIf = chats
    .flatMap((chat) => Object.values(chat.answers).flatMap(pointsOf))
    .filter((s) => /even better if/i.test(s))
    .map((s) => excerpt(s));
  const foundAt = themeRows.length ? new Date(Math.max(...themeRows.map((r) => r.foundAt.getTime()))).toISOString() : null;

  return {
    conversation: { id: c.id, title: c.title, status: c.status, opensOn: c.opensOn, closesOn: c.closesOn },
    chats: chats.length,
    people: chats.reduce((n, chat) => n + chat.peopleCount, 0),
    lived: chats.reduce((n, chat) => n + (chat.livedCount ?? 0), 0),
    organisations: organisations.length,
    organisationNames: organisations,
    bySector,
    peopleBySector,
    questions: c.questions.map((q) => {
      const answers = chats.filter((chat) => answerTo(chat, q));
      // Chats changed or removed since the last run no longer count towards its themes.
      const themes = (themesOf.get(q.key) ?? [])
        .map((t) => ({ ...t, chatIds: t.chatIds.filter((id) => submitted.has(id)) }))
        .filter((t) => t.chatIds.length)
        .map((t) => ({ label: t.label, count: t.chatIds.length, terms: t.terms, examples: t.examples }))
        .sort((a, b) => b.count - a.count);
      return {
        key: q.key,
        text: q.text,
        answered: answers.length,
        themes,
        thirdSector: answers
          .filter((chat) => chat.sector === 'third_sector')
          .slice(0, THIRD_SECTOR_EXAMPLES)
          .map((chat) => ({ text: excerpt(answerTo(chat, q).replace(/\n/g, '; ')), teamName: chat.teamName })),
      };
    }),
    themesFoundAt: foundAt,
    evenBetterIf: evenBetterIf.slice(0, 8),
    pledges: {
      total: pledges.length,
      followedUp: pledges.filter((p) => p.progress).length,
      done: count('done'),
      started: count('started'),
      notYet: count('not_yet'),
      dropped: count('dropped'),
      examples: pledges.slice(0, 10).map((p) => ({ text: p.text, teamName: p.teamName, progress: p.progress })),
    },
    stories,
    generatedAt: new Date().toISOString(),
  };
}

/** Every sent chat, one row each, with each question's reflections in its own column. */
export function chatsCsv(c: Conversation, chats: SentChat[]): string {
  return toCsv(
    [
      'Team',
      'Organisation',
      'Sector',
      'Date',
      'People',
      'With lived experience',
      ...c.questions.map((q) => q.text),
      'Steps',
      'Recorded by staff',
    ],
    chats.map((chat) => [
      chat.teamName,
      chat.organisation,
      SECTOR_LABELS[chat.sector],
      chat.heldOn,
      chat.peopleCount,
      chat.livedCount,
      ...c.questions.map((q) => chat.answers[q.key] ?? ''),
      chat.pledges.length,
      chat.recordedBy ? 'yes' : 'no',
    ]),
  );
}

/** Every pledge with how it went, for following up and for the board. */
export function pledgesCsv(chats: SentChat[]): string {
  return toCsv(
    ['Team', 'Organisation', 'Sector', 'Chat date', 'Step', 'How it went', 'Note', 'Answered on'],
    chats.flatMap((chat) =>
      chat.pledges.map((p) => [
        chat.teamName,
        chat.organisation,
        SECTOR_LABELS[chat.sector],
        chat.heldOn,
        p.text,
        p.progress ? PROGRESS_LABELS[p.progress] : 'Not asked or not answered yet',
        p.progressNote,
        p.progressAt ? p.progressAt.toISOString().slice(0, 10) : null,
      ]),
    ),
  );
}
