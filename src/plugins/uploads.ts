import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

/**
 * A file sent with a form, as a route's body holds it. A file over the limit is read no further
 * and arrives marked `tooLarge`, so the form can say so beside the field rather than fail whole.
 */
export interface UploadedFile {
  readonly upload: true;
  filename: string;
  mimetype: string;
  data: Buffer;
  tooLarge: boolean;
  limitBytes: number;
}

export const isUploadedFile = (v: unknown): v is UploadedFile =>
  typeof v === 'object' && v !== null && (v as { upload?: unknown }).upload === true;

/**
 * Forms with a file (`enctype="multipart/form-data"`) arrive as the same flat body as any other
 * form, with each file as an UploadedFile, so CSRF checks and zod schemas work unchanged. An
 * empty file field (nothing chosen) is left out. Registered after the access check, so a denied
 * request's upload is never read.
 */
export async function registerUploads(app: FastifyInstance, opts: { limitBytes: number; fieldLimitBytes: number }) {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: opts.limitBytes, files: 10, fields: 500, fieldSize: opts.fieldLimitBytes, parts: 520 },
    async onFile(part: MultipartFile) {
      const data = await part.toBuffer().catch((err: unknown) => {
        // toBuffer refuses a truncated file; what was read is not needed.
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') return Buffer.alloc(0);
        throw err;
      });
      const tooLarge = part.file.truncated;
      const value: UploadedFile | undefined =
        !part.filename && data.length === 0 && !tooLarge
          ? undefined
          : { upload: true, filename: part.filename.slice(0, 200), mimetype: part.mimetype, data, tooLarge, limitBytes: opts.limitBytes };
      const held = part as unknown as { value: unknown; _buf: Buffer | null };
      held.value = value;
      // The plugin falls back to the raw bytes when there is no value; nothing chosen means no field.
      if (!value) held._buf = null;
    },
  });
}
