import PDFDocument from 'pdfkit';

export interface Label {
  name: string;
  pronouns?: string | null;
}

// A4 sheet of 14 labels, 2 across and 7 down (99.1 × 38.1 mm, the common L7163 layout).
const MM = 72 / 25.4;
const LAYOUT = { columns: 2, rows: 7, width: 99.1 * MM, height: 38.1 * MM, left: 4.65 * MM, top: 15.15 * MM, gapX: 2.5 * MM, gapY: 0 };

/**
 * Name labels with only what each person chose: their name for the label and their pronouns.
 * No job titles, no organisations ("no badges").
 */
export function renderLabels(labels: Label[], meta: { title: string }): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 0, info: { Title: meta.title, Creator: 'Coproduce' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const perPage = LAYOUT.columns * LAYOUT.rows;
  labels.forEach((label, i) => {
    if (i > 0 && i % perPage === 0) doc.addPage({ size: 'A4', margin: 0 });
    const slot = i % perPage;
    const x = LAYOUT.left + (slot % LAYOUT.columns) * (LAYOUT.width + LAYOUT.gapX);
    const y = LAYOUT.top + Math.floor(slot / LAYOUT.columns) * (LAYOUT.height + LAYOUT.gapY);
    const inner = LAYOUT.width - 12 * MM;
    let size = 26;
    doc.font('Helvetica-Bold');
    while (size > 12 && doc.fontSize(size).widthOfString(label.name) > inner) size -= 1;
    const nameTop = y + (label.pronouns ? 8 * MM : 12 * MM);
    doc
      .fillColor('#212b32')
      .fontSize(size)
      .text(label.name, x + 6 * MM, nameTop, { width: inner, align: 'center', lineBreak: false, ellipsis: true });
    if (label.pronouns) {
      doc
        .font('Helvetica')
        .fontSize(14)
        .fillColor('#4c6272')
        .text(label.pronouns, x + 6 * MM, nameTop + size + 3 * MM, { width: inner, align: 'center', lineBreak: false });
    }
  });
  if (labels.length === 0)
    doc
      .font('Helvetica')
      .fontSize(14)
      .text('No one to print a label for yet.', 20 * MM, 20 * MM);
  doc.end();
  return done;
}
