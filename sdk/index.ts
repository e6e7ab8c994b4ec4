export type { Clock } from "./clock.ts";
export * from "./errors.ts";
export { IDEMPOTENCY_STATUS_HEADER } from "./httpResponses.ts";
export { MAX_IDEMPOTENCY_KEY_LENGTH } from "./idempotencyKey.ts";
export { type IdempotentHandler, type IdempotentInput, idempotent } from "./idempotent.ts";
export { type IdempotentCall, type MakeIdempotentOptions, makeIdempotent } from "./makeIdempotent.ts";
export { type IdempotencyContext, idempotency } from "./middleware.ts";
export type { IdempotencyOptions } from "./options.ts";
export { defaults } from "./options.ts";
export type {
  ConditionCheckInput,
  DeleteInput,
  GetInput,
  Item,
  PutInput,
  QueryInput,
  TransactionalDb,
  UpdateInput,
} from "./transactionalDb.ts";
export { MAX_BUFFERED_WRITES } from "./transactionalDb.ts";
export { IDEMPOTENCY_KEY_ATTRIBUTE, IDEMPOTENCY_KEY_HEADER } from "./unitOfWork.ts";
