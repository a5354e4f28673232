import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startS3Server, type TestS3 } from '../../test/s3-server.ts';
import { createFileStore, fileKey, parseS3Url, type FileStore } from './file-store.ts';

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(randomUUID())]);

function behavesAsAStore(name: string, make: () => FileStore) {
  test(`${name}: a file put is read back byte for byte, and is gone once removed`, async () => {
    const store = make();
    const key = fileKey('papers', randomUUID());
    await store.put(key, pdf, 'application/pdf');
    assert.deepEqual(await store.get(key), pdf);
    await store.remove(key);
    assert.equal(await store.get(key), null);
    await store.remove(key); // removing twice is not an error
  });

  test(`${name}: a key made from anything but a kind and an id is refused`, async () => {
    const store = make();
    for (const bad of ['../etc/passwd', 'papers/../../x', 'papers/notanid', '/abs/path'])
      await assert.rejects(() => store.put(bad, pdf, 'application/pdf'), /not a file key/);
  });
}

describe('file store', () => {
  let dir: string;
  let s3: TestS3;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'files-'));
    s3 = await startS3Server();
  });
  after(async () => {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  });

  behavesAsAStore('on disk', () => createFileStore({ dataDir: dir }));
  behavesAsAStore('in an S3-compatible bucket', () => createFileStore({ dataDir: dir, s3: { url: s3.url, region: 'eu-west-2' } }));

  test('on disk, files sit under DATA_DIR/files by kind, with nothing left half-written', async () => {
    const store = createFileStore({ dataDir: dir });
    const id = randomUUID();
    await store.put(fileKey('receipts', id), pdf, 'application/pdf');
    assert.deepEqual(await readdir(path.join(dir, 'files', 'receipts')), [id]);
  });

  test('in S3, the bucket holds the file under the URL’s prefix, not on disk', async () => {
    const store = createFileStore({ dataDir: dir, s3: { url: `${s3.url}/coproduce`, region: 'eu-west-2' } });
    const id = randomUUID();
    await store.put(fileKey('papers', id), pdf, 'application/pdf');
    const plain = createFileStore({ dataDir: dir, s3: { url: s3.url, region: 'eu-west-2' } });
    assert.equal(await plain.get(fileKey('papers', id)), null, 'not at the bucket root');
    assert.deepEqual(await store.get(fileKey('papers', id)), pdf);
    await assert.rejects(() => readdir(path.join(dir, 'files', 'papers', id)));
  });

  test('S3_URL gives endpoint, bucket, prefix and credentials', () => {
    assert.deepEqual(parseS3Url('https://AK%2B1:s%40cret@s3.example.org:9000/bucket/a/b/'), {
      endpoint: 'https://s3.example.org:9000',
      bucket: 'bucket',
      prefix: 'a/b/',
      credentials: { accessKeyId: 'AK+1', secretAccessKey: 's@cret' },
    });
    assert.equal(parseS3Url('https://s3.example.org/b').credentials, undefined);
  });
});
