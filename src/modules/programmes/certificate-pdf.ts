import { pdfWriter } from '../../lib/pdf.ts';
import { MAIN_FONT } from '../../lib/pdf-fonts.ts';
import QRCode from 'qrcode';

export interface CertificateContent {
  name: string;
  achievement: string;
  cohortName: string;
  issuedOn: string;
  issuer: string;
  serial: string;
  verifyUrl: string;
  revoked: boolean;
}

const MM = 72 / 25.4;
const INK = '#212b32';
const MUTED = '#4c6272';
const BLUE = '#005eb8';

const longDate = (iso: string) =>
  new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * An A4 landscape certificate: the person's chosen name, the programme and cohort, the date,
 * the issuer, the serial and a QR code for the verification page. The QR code is drawn as
 * vector squares so it prints sharp at any size, and is a tagged figure saying where it leads.
 */
export function renderCertificate(c: CertificateContent): Promise<Buffer> {
  const w = pdfWriter({
    title: `Certificate: ${c.achievement}`,
    author: c.issuer,
    subject: `Certificate ${c.serial} for ${c.name}`,
    creator: 'Coproduce',
    layout: 'landscape',
    margin: 0,
  });
  const { doc } = w;
  const W = doc.page.width;
  const H = doc.page.height;

  w.artifact(() =>
    doc
      .lineWidth(3)
      .strokeColor(BLUE)
      .rect(12 * MM, 12 * MM, W - 24 * MM, H - 24 * MM)
      .stroke(),
  );
  const centred = (text: string, y: number, style: { size: number; bold?: boolean; colour?: string; tag?: 'H1' | 'P' }) =>
    w.place(text, { colour: INK, ...style }, { x: 25 * MM, y, width: W - 50 * MM, align: 'center' });

  centred('Certificate of completion', 32 * MM, { size: 30, bold: true, colour: BLUE, tag: 'H1' });
  if (c.revoked) centred('This certificate has been revoked.', 20 * MM, { size: 14, bold: true, colour: '#d5281b' });
  centred('This is to certify that', 52 * MM, { size: 16, colour: MUTED });
  let size = 34;
  while (size > 16 && w.widthOf(c.name, { size, bold: true }) > W - 60 * MM) size -= 1;
  centred(c.name, 64 * MM, { size, bold: true });
  centred('has completed', 84 * MM, { size: 16, colour: MUTED });
  centred(c.achievement, 95 * MM, { size: 24, bold: true });
  centred(c.cohortName, 110 * MM, { size: 16 });
  centred(`Awarded on ${longDate(c.issuedOn)} by ${c.issuer}`, 124 * MM, { size: 14, colour: MUTED });

  // Verification: serial and address bottom left, the QR code for the same address bottom right.
  const at = (y: number) => ({ x: 22 * MM, y, width: W - 80 * MM });
  w.place(`Certificate number: ${c.serial}`, { size: 11, colour: MUTED }, at(H - 44 * MM));
  w.place('Check this certificate at:', { size: 11, colour: MUTED }, at(H - 38 * MM));
  w.place(c.verifyUrl, { size: 11, colour: BLUE, link: c.verifyUrl }, at(H - 32 * MM));
  const qr = QRCode.create(c.verifyUrl, { errorCorrectionLevel: 'M' });
  const cells = qr.modules.size;
  const qrSize = 34 * MM;
  const cell = qrSize / (cells + 8);
  const qx = W - 22 * MM - qrSize;
  const qy = H - 22 * MM - qrSize;
  w.figure(`QR code: scan it to check this certificate at ${c.verifyUrl}`, () => {
    doc.rect(qx, qy, qrSize, qrSize).fill('#ffffff');
    for (let row = 0; row < cells; row++) {
      for (let col = 0; col < cells; col++) {
        if (qr.modules.get(row, col)) doc.rect(qx + (col + 4) * cell, qy + (row + 4) * cell, cell, cell).fill(INK);
      }
    }
  });
  if (c.revoked) {
    // The large mark across the page is for the eye; the words above say it for everyone.
    w.artifact(() => {
      doc.save().rotate(-20, { origin: [W / 2, H / 2] });
      doc
        .font(MAIN_FONT.bold)
        .fontSize(60)
        .fillColor('#d5281b')
        .opacity(0.35)
        .text('REVOKED', 0, H / 2 - 30, { width: W, align: 'center' });
      doc.restore();
    });
  }
  doc.end();
  return w.done;
}
