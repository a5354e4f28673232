import { pdfWriter } from '../../lib/pdf.ts';

export interface Label {
  name: string;
  pronouns?: string | null;
}

// A4 sheet of 14 labels, 2 across and 7 down (99.1 × 38.1 mm, the common L7163 layout).
const MM = 72 / 25.4;
const LAYOUT = { columns: 2, rows: 7, width: 99.1 * MM, height: 38.1 * MM, left: 4.65 * MM, top: 15.15 * MM, gapX: 2.5 * MM, gapY: 0 };

/**
 * Name labels with only what each person chose: their name for the label and their pronouns.
 * No job titles, no organisations ("no badges"). Tagged, each name and its pronouns a paragraph
 * in the order the labels run (across, then down), in fonts that print any script.
 */
export function renderLabels(labels: Label[], meta: { title: string; author?: string }): Promise<Buffer> {
  const w = pdfWriter({ title: meta.title, author: meta.author ?? 'Coproduce', subject: 'Name labels', creator: 'Coproduce', margin: 0 });
  const perPage = LAYOUT.columns * LAYOUT.rows;
  labels.forEach((label, i) => {
    if (i > 0 && i % perPage === 0) w.doc.addPage({ size: 'A4', margin: 0 });
    const slot = i % perPage;
    const x = LAYOUT.left + (slot % LAYOUT.columns) * (LAYOUT.width + LAYOUT.gapX);
    const y = LAYOUT.top + Math.floor(slot / LAYOUT.columns) * (LAYOUT.height + LAYOUT.gapY);
    const inner = LAYOUT.width - 12 * MM;
    let size = 26;
    while (size > 12 && w.widthOf(label.name, { size, bold: true }) > inner) size -= 1;
    const nameTop = y + (label.pronouns ? 8 * MM : 12 * MM);
    w.place(label.name, { size, bold: true }, { x: x + 6 * MM, y: nameTop, width: inner, align: 'center' });
    if (label.pronouns)
      w.place(
        label.pronouns,
        { size: 14, colour: '#4c6272' },
        // Below the name, as tall as its face makes it (Arabic and Indic faces stand taller than Latin).
        { x: x + 6 * MM, y: nameTop + w.heightOf(label.name, { size, bold: true, width: inner }) + 1 * MM, width: inner, align: 'center' },
      );
  });
  if (labels.length === 0) w.place('No one to print a label for yet.', { size: 14 }, { x: 20 * MM, y: 20 * MM, width: 150 * MM });
  w.doc.end();
  return w.done;
}
