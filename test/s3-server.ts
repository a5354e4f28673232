import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// s3rver speaks the S3 protocol over HTTP with its objects on disk: a real S3-compatible server,
// started here for tests, as MinIO or Ceph would be in production.
import S3rver from 's3rver';
import { freePort } from './net.ts';

export interface TestS3 {
  /** S3_URL for the app: credentials, endpoint and bucket. */
  url: string;
  bucket: string;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'coproduce-test'): Promise<TestS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const port = await freePort();
  const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  await server.run();
  return {
    // s3rver's built-in key pair.
    url: `http://S3RVER:S3RVER@127.0.0.1:${port}/${bucket}`,
    bucket,
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
