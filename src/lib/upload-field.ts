import { z } from 'zod';
import { isUploadedFile, type UploadedFile } from '../plugins/uploads.ts';

/** A file checked for what it is: its type read from its first bytes, never from its name or what the browser said. */
export interface CheckedFile {
  name: string;
  contentType: ContentType;
  data: Buffer;
}

export const CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** The file's real type from its signature, or null when it is none of the kinds we take. */
export function sniffContentType(data: Buffer): ContentType | null {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  // iPhones save photos as HEIC: an ISO box "ftyp" with a HEIF brand.
  if (
    data.subarray(4, 8).toString('latin1') === 'ftyp' &&
    /^(heic|heix|mif1|msf1|heim|heis)$/.test(data.subarray(8, 12).toString('latin1'))
  )
    return 'image/heic';
  return null;
}

const sizeInWords = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/**
 * A safe name to offer when the file is downloaded again: no path, no control characters, and the
 * extension of what the file really is (a PNG named `ticket.html` downloads as `ticket.png`).
 */
export function cleanFileName(name: string, contentType: ContentType): string {
  const ext = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/heic': 'heic' }[
    contentType
  ];
  const base = name
    .split(/[\\/]/)
    .pop()!
    .replace(/[^\p{L}\p{N} ._()-]/gu, '')
    .replace(/\.[a-z0-9]{1,5}$/i, '')
    .replace(/^[ .]+|[ .]+$/g, '')
    .slice(0, 120);
  return `${base || 'file'}.${ext}`;
}

/**
 * A form's file field: `what` names it in messages ("the paper", "the receipt"). `accept` says
 * which kinds are taken. The messages say what to do: choose a smaller file, or one of the right kind.
 */
export function uploadField(what: string, accept: 'pdf' | 'pdf_or_image') {
  const allowed: readonly ContentType[] = accept === 'pdf' ? ['application/pdf'] : CONTENT_TYPES;
  const kinds = accept === 'pdf' ? 'a PDF' : 'a photo (JPEG, PNG, WebP or HEIC) or a PDF';
  return z.custom<UploadedFile>(isUploadedFile, { error: `Choose ${what} to upload` }).transform((file, ctx): CheckedFile => {
    if (file.tooLarge) {
      ctx.addIssue({ code: 'custom', message: `${capital(what)} must be smaller than ${sizeInWords(file.limitBytes)}` });
      return z.NEVER;
    }
    const contentType = sniffContentType(file.data);
    if (!contentType || !allowed.includes(contentType)) {
      ctx.addIssue({ code: 'custom', message: `${capital(what)} must be ${kinds}` });
      return z.NEVER;
    }
    return { name: cleanFileName(file.filename, contentType), contentType, data: file.data };
  });
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
