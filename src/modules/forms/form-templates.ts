import type { QuestionInput } from './forms-schemas.ts';

/** A form to start from: its questions are copied into a new draft form. */
export interface FormTemplate {
  id: string;
  title: string;
  /** What it is for, shown when choosing one. */
  summary: string;
  anonymous: boolean;
  easyRead: boolean;
  intro?: string;
  questions: (QuestionInput & { key: string })[];
}

/**
 * Templates ship with the product, so every deployment has them. The first is the evaluation
 * of #PatientsasPartners16 (70% answered, 97% rated it excellent or good), with the same short
 * names as the demo's copy, so reports from forms made from it line up.
 */
export const FORM_TEMPLATES: readonly FormTemplate[] = [
  {
    id: 'event-evaluation',
    title: 'Event evaluation',
    summary:
      'The evaluation used at #PatientsasPartners16: a rating of the day, whether people achieved what they came for, and what they will take away.',
    anonymous: false,
    easyRead: false,
    intro: 'Thank you for coming. Please tell us what you thought: it takes a few minutes.',
    questions: [
      { key: 'overall', type: 'rating', text: 'Overall, how was the event?', easyReadText: 'Was the day good?', required: true },
      { key: 'objectives', type: 'yes_no', text: 'Did you achieve your objectives?', easyReadText: 'Did you get what you came for?' },
      {
        key: 'learnt',
        type: 'long_text',
        text: 'What will you take away from today?',
        easyReadText: 'What will you remember from today?',
      },
    ],
  },
];

export const findTemplate = (id: string) => FORM_TEMPLATES.find((t) => t.id === id);
