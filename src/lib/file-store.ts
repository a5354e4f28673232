import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as S3 from '@aws-sdk/client-s3';

/**
 * Where uploaded files live (meeting papers, receipts): a folder under DATA_DIR, or an
 * S3-compatible bucket (AWS, MinIO, Ceph, Garage…) when S3_URL is set. Keys are made here from
 * ids, never from a file's own name, so nobody can write outside the store.
 */
export interface FileStore {
  readonly kind: 'disk' | 's3';
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The file's bytes, or null when it is not there (already removed). */
  get(key: string): Promise<Buffer | null>;
  /** Removing a file that is not there is not an error. */
  remove(key: string): Promise<void>;
}

const KEY = /^[a-z][a-z-]*\/[0-9a-f-]{36}$/;

function checkedKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`not a file key: ${key}`);
  return key;
}

/** A key for a new file of one kind ("papers", "receipts"), from its row's id. */
export const fileKey = (kind: string, id: string) => checkedKey(`${kind}/${id}`);

export function createFileStore(opts: { dataDir: string; s3?: { url: string; region: string } }): FileStore {
  return opts.s3 ? s3Store(opts.s3) : diskStore(path.join(opts.dataDir, 'files'));
}

function diskStore(root: string): FileStore {
  const fileOf = (key: string) => path.join(root, checkedKey(key));
  return {
    kind: 'disk',
    async put(key, data) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // Written whole under a temporary name, then renamed: a reader never sees half a file.
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, data, { mode: 0o600 });
      await rename(partial, file);
    },
    async get(key) {
      try {
        return await readFile(fileOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async remove(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}

/** S3_URL is https://ACCESS_KEY:SECRET@host[:port]/bucket[/prefix]; without a key pair, the SDK's usual sources apply. */
export function parseS3Url(url: string) {
  const u = new URL(url);
  const [bucket, ...prefix] = u.pathname.replace(/^\/+|\/+$/g, '').split('/');
  if (!bucket) throw new Error('S3_URL must name the bucket');
  return {
    endpoint: `${u.protocol}//${u.host}`,
    bucket,
    prefix: prefix.length ? `${prefix.join('/')}/` : '',
    credentials: u.username ? { accessKeyId: decodeURIComponent(u.username), secretAccessKey: decodeURIComponent(u.password) } : undefined,
  };
}

function s3Store(opts: { url: string; region: string }): FileStore {
  const { endpoint, bucket, prefix, credentials } = parseS3Url(opts.url);
  // The SDK is loaded on first use: a deployment that keeps files on disk never loads it.
  let sdk: Promise<{ s3: typeof S3; client: S3.S3Client }> | undefined;
  const connect = () =>
    (sdk ??= import('@aws-sdk/client-s3').then((s3) => ({
      s3,
      client: new s3.S3Client({
        endpoint,
        region: opts.region,
        credentials,
        // Path-style URLs and checksums only when an operation needs them: what MinIO, Ceph and
        // other S3-compatible stores accept, as well as AWS itself.
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    })));
  const Key = (key: string) => prefix + checkedKey(key);
  return {
    kind: 's3',
    async put(key, data, contentType) {
      const { s3, client } = await connect();
      await client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: Key(key), Body: data, ContentType: contentType }));
    },
    async get(key) {
      const { s3, client } = await connect();
      try {
        const out = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: Key(key) }));
        return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : null;
      } catch (err) {
        if (err instanceof s3.NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },
    async remove(key) {
      const { s3, client } = await connect();
      await client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: Key(key) }));
    },
  };
}
