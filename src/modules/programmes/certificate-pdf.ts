import PDFDocument from 'pdfkit';
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
 * vector squares so it prints sharp at any size.
 */
export function renderCertificate(c: CertificateContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 0,
    info: { Title: `Certificate: ${c.achievement}`, Subject: c.serial, Creator: 'Coproduce' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const W = doc.page.width;
  const H = doc.page.height;

  doc
    .lineWidth(3)
    .strokeColor(BLUE)
    .rect(12 * MM, 12 * MM, W - 24 * MM, H - 24 * MM)
    .stroke();
  const centred = (text: string, y: number, font: string, size: number, color = INK) =>
    doc
      .font(font)
      .fontSize(size)
      .fillColor(color)
      .text(text, 25 * MM, y, { width: W - 50 * MM, align: 'center' });

  centred('Certificate of completion', 32 * MM, 'Helvetica-Bold', 30, BLUE);
  centred('This is to certify that', 52 * MM, 'Helvetica', 16, MUTED);
  let size = 34;
  doc.font('Helvetica-Bold');
  while (size > 16 && doc.fontSize(size).widthOfString(c.name) > W - 60 * MM) size -= 1;
  centred(c.name, 64 * MM, 'Helvetica-Bold', size);
  centred('has completed', 84 * MM, 'Helvetica', 16, MUTED);
  centred(c.achievement, 95 * MM, 'Helvetica-Bold', 24);
  centred(c.cohortName, 110 * MM, 'Helvetica', 16);
  centred(`Awarded on ${longDate(c.issuedOn)} by ${c.issuer}`, 124 * MM, 'Helvetica', 14, MUTED);

  // Verification: serial, address and QR code, bottom left to bottom right.
  const qr = QRCode.create(c.verifyUrl, { errorCorrectionLevel: 'M' });
  const cells = qr.modules.size;
  const qrSize = 34 * MM;
  const cell = qrSize / (cells + 8);
  const qx = W - 22 * MM - qrSize;
  const qy = H - 22 * MM - qrSize;
  doc.rect(qx, qy, qrSize, qrSize).fill('#ffffff');
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      if (qr.modules.get(row, col)) doc.rect(qx + (col + 4) * cell, qy + (row + 4) * cell, cell, cell).fill(INK);
    }
  }
  doc.font('Helvetica').fontSize(11).fillColor(MUTED);
  doc.text(`Certificate number: ${c.serial}`, 22 * MM, H - 44 * MM, { width: W - 80 * MM });
  doc.text('Check this certificate at:', 22 * MM, H - 38 * MM, { width: W - 80 * MM });
  doc.fillColor(BLUE).text(c.verifyUrl, 22 * MM, H - 32 * MM, { width: W - 80 * MM, link: c.verifyUrl, underline: true });
  if (c.revoked) {
    doc.save().rotate(-20, { origin: [W / 2, H / 2] });
    doc
      .font('Helvetica-Bold')
      .fontSize(60)
      .fillColor('#d5281b')
      .opacity(0.35)
      .text('REVOKED', 0, H / 2 - 30, { width: W, align: 'center' });
    doc.restore();
  }
  doc.end();
  return done;
}
