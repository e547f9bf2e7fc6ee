/**
 * Payload limits and fixed facts of Lambda's neighbour services, each from ../shared/lambda-model.md (section in the
 * comment). Sizes are bytes of the UTF-8 serialized body: 1 MB = 1 MiB = 1,048,576 bytes (lambda-model.md "Units").
 */
import { KiB, MiB } from "../runtime/config.ts";

export const SERVICE_LIMITS = {
  /** SQS message: 1 MiB since 2025-08-04, at least 1 byte; attributes count toward it (model, §5). */
  sqsMessageMaxBytes: 1 * MiB,
  /** Smallest per-queue `MaximumMessageSize` (§5). */
  sqsMaximumMessageSizeMin: 1_024,
  /** Messages per SendMessageBatch / ReceiveMessage (§5). */
  sqsBatchMaxEntries: 10,
  /** FIFO deduplication interval (§7). */
  sqsDeduplicationIntervalMs: 5 * 60_000,
  /** Visibility timeout: 30 s default, 0 s – 12 h (§7). */
  sqsVisibilityTimeoutDefaultMs: 30_000,
  sqsVisibilityTimeoutMaxMs: 12 * 3_600_000,
  /** Retention: 4 days default, 60 s – 14 days (§7). */
  sqsRetentionDefaultMs: 4 * 86_400_000,
  sqsRetentionMinMs: 60_000,
  sqsRetentionMaxMs: 14 * 86_400_000,
  /** Long poll wait (`ReceiveMessageWaitTimeSeconds` / `WaitTimeSeconds`): 0 s by default, at most 20 s (§7). */
  sqsReceiveWaitMaxSeconds: 20,
  /** Redrive: default maxReceiveCount (§7). */
  sqsMaxReceiveCountDefault: 10,
  /** SNS publish: 256 KiB by default, a topic can raise it to 1 MiB (`MaximumMessageSize` 1,024–1,048,576, §5). */
  snsDefaultMaxBytes: 256 * KiB,
  snsMaxBytes: 1 * MiB,
  snsMaximumMessageSizeMin: 1_024,
  /**
   * SNS delivery policy for AWS-managed endpoints (Lambda, SQS), "Neighbour services: delivery and retries": after the
   * first attempt, 3 retries at once, 2 at 1 s apart, 10 with backoff from 1 s to 20 s, then 100,000 at 20 s apart.
   */
  snsImmediateRetries: 3,
  snsPreBackoffRetries: 2,
  snsPreBackoffDelayMs: 1_000,
  snsBackoffRetries: 10,
  snsBackoffMinDelayMs: 1_000,
  snsBackoffMaxDelayMs: 20_000,
  snsPostBackoffRetries: 100_000,
  snsPostBackoffDelayMs: 20_000,
  /** EventBridge rule target retry policy: up to 185 retries (0–185) within 24 h (60 s – 86,400 s) by default. */
  eventBridgeMaxRetryAttempts: 185,
  eventBridgeMaxEventAgeSeconds: 86_400,
  eventBridgeMinEventAgeSeconds: 60,
  /** The newer subscriber model's defaults: 5 retries, 300 s. */
  eventBridgeSubscriberRetryAttempts: 5,
  eventBridgeSubscriberEventAgeSeconds: 300,
  /** EventBridge PutEvents: entry size under 1 MB, at most 10 entries; `Time` adds 14 bytes (§5). */
  eventBridgeEntryLimitBytes: 1 * MiB,
  eventBridgeMaxEntries: 10,
  eventBridgeTimeBytes: 14,
  /** Step Functions: a state's input or output holds at most 262,144 bytes, UTF-8 (§5). */
  stepFunctionsStateDataMaxBytes: 256 * KiB,
  /** S3: single PUT up to 5 GB (§5). */
  s3SinglePutMaxBytes: 5 * 1024 * MiB,
  /** S3 multipart upload: parts of 5 MiB – 5 GiB (the last may be smaller), numbered 1–10,000 (§5). */
  s3PartMinBytes: 5 * MiB,
  s3PartMaxBytes: 5 * 1024 * MiB,
  s3MaxParts: 10_000,
  /**
   * S3 object: "50 TB", shown as 48.8 TiB in the docs (§5), which is 10,000 parts × 5 GiB = 53,687,091,200,000 bytes;
   * the model reads it so, so the part limits are what stop a larger object.
   */
  s3ObjectMaxBytes: 10_000 * 5 * 1024 * MiB,
  /** API Gateway payload: 10 MB for REST and HTTP APIs (§5). */
  apiGatewayPayloadMaxBytes: 10 * MiB,
  /** API Gateway REST API: 10,240 bytes of request headers (§5); the HTTP API has no header limit in the model. */
  restHeaderMaxBytes: 10_240,
  /** API Gateway integration timeout: REST 50 ms – 29 s by default (raisable since Jun 2024); HTTP API fixed 30 s (§4). */
  restIntegrationTimeoutDefaultMs: 29_000,
  restIntegrationTimeoutMinMs: 50,
  httpIntegrationTimeoutMs: 30_000,
} as const;

/** "1 MB (1,048,576 bytes)"-style wording for learner-facing messages. */
export function describeBytes(bytes: number): string {
  const exact = bytes.toLocaleString("en-US");
  if (bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)} GB (${exact} bytes)`;
  if (bytes % MiB === 0) return `${bytes / MiB} MB (${exact} bytes)`;
  if (bytes % KiB === 0) return `${bytes / KiB} KB (${exact} bytes)`;
  return `${exact} bytes`;
}
