/** The Lambda SQS event source as the tests drive it, one poll at a time: the local stack's own loop. */
export { type PollOnceOptions, type PollResult, pollOnce } from "../../local/sqsEventSource.ts";
