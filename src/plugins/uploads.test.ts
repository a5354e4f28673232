import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { z } from 'zod';
import { uploadField } from '../lib/upload-field.ts';
import { registerUploads } from './uploads.ts';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

/** A real Fastify with the uploads plugin and one form route that checks a receipt. */
async function appWithForm(limitBytes = 1000) {
  const app = Fastify();
  await app.register(formbody);
  await registerUploads(app, { limitBytes, fieldLimitBytes: 10_000 });
  const schema = z.object({ note: z.string(), receipt: uploadField('the receipt', 'pdf_or_image').optional() });
  app.post('/form', async (request) => {
    const parsed = schema.safeParse(request.body);
    if (!parsed.success) return { errors: parsed.error.issues.map((i) => i.message) };
    const r = parsed.data.receipt;
    return { note: parsed.data.note, receipt: r ? { name: r.name, contentType: r.contentType, bytes: r.data.length } : null };
  });
  return app;
}

function multipart(fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('receipt', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  return form;
}

async function post(app: Awaited<ReturnType<typeof appWithForm>>, form: FormData) {
  const request = new Request('http://x/form', { method: 'POST', body: form });
  const res = await app.inject({
    method: 'POST',
    url: '/form',
    headers: Object.fromEntries(request.headers),
    payload: Buffer.from(await request.arrayBuffer()),
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

describe('uploads', () => {
  test('a form with a file arrives as a flat body; the file’s type is read from its bytes, not its name', async () => {
    const app = await appWithForm();
    const res = await post(app, multipart({ note: 'bus fare' }, { name: '../../bus ticket.pdf', type: 'image/png', data: PDF }));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      note: 'bus fare',
      receipt: { name: 'bus ticket.pdf', contentType: 'application/pdf', bytes: PDF.length },
    });
    const photo = await post(app, multipart({ note: 'x' }, { name: 'IMG_0001', type: 'application/pdf', data: PNG }));
    assert.deepEqual(photo.body.receipt, { name: 'IMG_0001.png', contentType: 'image/png', bytes: PNG.length });
    // The name keeps the person's words but takes the extension of what the file is.
    const disguised = await post(app, multipart({ note: 'x' }, { name: 'ticket.html', type: 'image/png', data: PNG }));
    assert.equal((disguised.body.receipt as { name: string }).name, 'ticket.png');
    const svg = await post(app, multipart({ note: 'x' }, { name: '..svg', type: 'image/svg+xml', data: PDF }));
    assert.equal((svg.body.receipt as { name: string }).name, 'file.pdf');
  });

  test('no file chosen is no field, as a browser sends an empty file input', async () => {
    const app = await appWithForm();
    const res = await post(app, multipart({ note: 'no receipt' }, { name: '', type: 'application/octet-stream', data: Buffer.alloc(0) }));
    assert.deepEqual(res.body, { note: 'no receipt', receipt: null });
  });

  test('a file over the limit or of another kind gets a message for its field, not a failed request', async () => {
    const roomy = await appWithForm(10 * 1024 * 1024);
    const fine = await post(roomy, multipart({ note: 'x' }, { name: 'a.pdf', type: 'application/pdf', data: PDF }));
    assert.equal((fine.body.receipt as { bytes: number }).bytes, PDF.length);
    const app = await appWithForm(1000);
    const big = await post(
      app,
      multipart({ note: 'x' }, { name: 'big.pdf', type: 'application/pdf', data: Buffer.concat([PDF, Buffer.alloc(2000)]) }),
    );
    assert.equal(big.status, 200);
    assert.deepEqual(big.body, { errors: ['The receipt must be smaller than 1 KB'] });
    const exe = await post(
      app,
      multipart({ note: 'x' }, { name: 'receipt.pdf', type: 'application/pdf', data: Buffer.from('MZ\x90\x00 not a pdf') }),
    );
    assert.deepEqual(exe.body, { errors: ['The receipt must be a photo (JPEG, PNG, WebP or HEIC) or a PDF'] });
  });
});
