import { githubPullRequest, githubPush } from "./githubPayloads.ts";
import type { PayloadKind } from "./payloadSize.ts";
import { shopifyOrderCreate } from "./shopifyPayloads.ts";
import { stripeCheckoutCompleted, stripeInvoicePaid } from "./stripePayloads.ts";

/** The event types the compression benchmark measures, in the order its table lists them. */
export const PAYLOAD_KINDS: readonly PayloadKind[] = [
  stripeInvoicePaid,
  stripeCheckoutCompleted,
  githubPush,
  githubPullRequest,
  shopifyOrderCreate,
];

/** The body sizes measured: ~1 KB, 2 KB, 8 KB, 64 KB and 1 MB. */
export const PAYLOAD_SIZES_BYTES = [1024, 2048, 8192, 65_536, 1_048_576] as const;
