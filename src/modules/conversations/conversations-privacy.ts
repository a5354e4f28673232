import { sql } from 'drizzle-orm';
import { rowsOf, type PersonalDataHolder } from '../privacy/personal-data.ts';

/**
 * Team chats hold the lead's contact details and who recorded them. The reflections are the
 * team's, written about work, not about the lead: erasure removes the lead's name and contact
 * details from the chats they led and keeps what the team said, so the summary still adds up.
 */
export function conversationsPersonalData(): PersonalDataHolder {
  const led = (personId: string) =>
    sql`(c.lead_person_id = ${personId} or (c.lead_email is not null and c.lead_email = (select lower(email) from people where id = ${personId})))`;
  return {
    module: 'conversations',
    tables: {
      conversations: 'nothing about a person: the questions and dates, written by staff',
      team_chats: 'the team lead’s name, email and phone; what the team said (about work, not the lead)',
      chat_pledges: 'nothing about a person: the steps a team said it would take and how they went',
      conversation_themes: 'nothing about a person: themes found across teams’ reflections',
    },
    personColumns: {
      'conversations.created_by': 'kept: the member of staff who set it up; it names a row, not a value',
      'team_chats.lead_person_id': 'cleared, with the lead’s name, email and phone; the team’s reflections are kept',
      'team_chats.recorded_by': 'kept: the member of staff who typed up a paper sheet',
      'team_chats.removed_by': 'kept: the member of staff who took the chat out of the summary',
    },
    async export(ex, personId) {
      const chats = await rowsOf<{
        conversation: string;
        team_name: string;
        organisation: string;
        held_on: string;
        lead_name: string | null;
        lead_email: string | null;
        lead_phone: string | null;
        status: string;
      }>(
        ex,
        sql`select v.title as conversation, c.team_name, c.organisation, c.held_on::text, c.lead_name, c.lead_email, c.lead_phone, c.status
            from team_chats c join conversations v on v.id = c.conversation_id where ${led(personId)} order by c.held_on`,
      );
      return {
        teamChatsLed: chats.map((c) => ({
          conversation: c.conversation,
          team: c.team_name,
          organisation: c.organisation,
          heldOn: c.held_on,
          yourName: c.lead_name,
          yourEmail: c.lead_email,
          yourPhone: c.lead_phone,
          status: c.status,
        })),
      };
    },
    async forget(tx, person) {
      await tx.execute(sql`
        update team_chats c set lead_person_id = null, lead_name = null, lead_email = null, lead_phone = null, updated_at = now()
        where c.lead_person_id = ${person.id} or (${person.email ?? null}::text is not null and c.lead_email = lower(${person.email ?? ''}))`);
    },
  };
}
