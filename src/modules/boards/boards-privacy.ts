import type { PersonalDataHolder } from '../privacy/personal-data.ts';

/** Placeholder: what boards hold about people, exported and forgotten. */
export function boardsPersonalData(): PersonalDataHolder {
  return {
    module: 'boards',
    tables: {
      boards: 'nothing about a person: a board’s name and purpose',
      board_members: 'who sits on a board, their role and term, and whether they agreed to be named publicly',
      board_meetings: 'nothing about a person: when and where a meeting is, its minutes',
      agenda_items: 'nothing about a person: the agenda and its papers',
      meeting_attendees: 'each member’s reply, access needs and whether they came',
      board_decisions: 'the owner of an action',
      decision_updates: 'who moved a decision on, and their note',
    },
    personColumns: {
      'boards.created_by': 'kept: the member of staff who set it up',
      'board_members.person_id': 'deleted with the membership',
      'board_members.added_by': 'kept: the member of staff who added the member',
      'board_meetings.created_by': 'kept: the member of staff who set it up',
      'meeting_attendees.person_id': 'deleted with the reply and access needs',
      'meeting_attendees.attendance_recorded_by': 'kept: the member of staff who recorded attendance',
      'board_decisions.owner_id': 'cleared: the action stays, with no owner',
      'board_decisions.created_by': 'kept: who recorded it',
      'decision_updates.by_person': 'cleared: the update stays, by nobody named',
    },
    async export() {
      return {};
    },
    async forget() {},
  };
}
