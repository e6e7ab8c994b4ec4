import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { seededRandom } from "../../local/seededRandom.ts";

/**
 * A JSON body of exactly `bytes` bytes (at least 200) that gzip cannot shrink below the inline limit: commits with random hex
 * ids (like a large GitHub push), so it goes to the body bucket. Deterministic for a `seed`.
 */
export function largeJsonBody(bytes: number, seed = 1): string {
  const random = seededRandom(seed);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
  const commits: string[] = [];
  let size = 40;
  while (size < bytes - 200) {
    const commit = JSON.stringify({ id: hex(40), tree_id: hex(40), message: hex(24) });
    commits.push(commit);
    size += commit.length + 1;
  }
  const json = `{"ref":"refs/heads/main","commits":[${commits.join(",")}]}`;
  return json + " ".repeat(bytes - json.length);
}

/** The keys of every object in `bucket` (fewer than 1 000 in a test). */
export async function objectKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map(({ Key }) => Key ?? "");
}
