// WhatsAppInbox: the durable queue between POST /whatsapp and the worker: persisted before the 200, deduplicated by wamid.
//
// Contract shared by every implementation (SqliteInbox in the embedded setup, a Redis stream + consumer group when
// `[state] backend = "redis"`), spec §5 and §9:
// - `enqueue` resolves only once the messages are durable: the route answers Meta's 200 after it, never before.
// - Each wamid is queued at most once, for at least DEDUPE_RETENTION_MS, across restarts (and across instances
//   sharing the store): Meta redelivers the same message for days and may deliver it to two instances at once.
// - A job leaves the inbox only through `ack`. A job claimed by a process that died (or that overran its lease)
//   is handed out again, so a crash between the 200 and the reply never loses a message.
// - The inbox never interprets messages; allowlist, LLM and Graph API are the worker's business.

/** Meta keeps retrying a failed delivery for up to 7 days (wire-formats §4.2): a wamid must be remembered that long. */
export const DEDUPE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Where the reply goes: a phone number (Graph `to`) or, for a user who hid it, a business-scoped user id (`recipient`). */
export type ReplyAddress = { kind: 'phone'; digits: string } | { kind: 'bsuid'; userId: string };

/** One inbound message for the LLM, as the route persists it before acknowledging Meta. Plain JSON data. */
export interface InboundMessage {
  /** Meta's message id (`wamid.…`): the dedupe key and part of the memory key. */
  wamid: string;
  /** The sender as the allowlist and the memory key see it: `+<digits>`, or the BSUID when Meta withheld the number. */
  sender: string;
  /** Where the reply is sent. */
  replyTo: ReplyAddress;
  /** Meta's message type (`text`, `interactive`, `button`, `image`, `video`, `document`), for logs. */
  type: string;
  /** What the LLM is given: the text body, the button/list title, or the caption. Never empty. */
  text: string;
  /** `metadata.phone_number_id` of the business number that received it (the reply goes out from the configured one). */
  phoneNumberId: string;
  /** Meta's `timestamp` of the message, seconds since the epoch, as Meta sent it. */
  timestamp: string;
  /** When this gateway received the delivery (ms since the epoch): the start of `whatsapp_reply_seconds`. */
  receivedAtMs: number;
}

/** What a job has already achieved, saved so that a job run again does not repeat it. */
export interface JobProgress {
  /** The text being sent (the LLM's answer or the apology): a re-run sends this instead of asking the LLM again. */
  reply: string;
  /** How many chunks of `reply` the Graph API has accepted: a re-run continues with the next one. */
  chunksSent: number;
}

/** A claimed message. */
export interface InboxJob {
  /** The inbox's handle for `checkpoint`, `ack` and `retry` (a row id, a stream entry id): opaque to the worker. */
  id: string;
  message: InboundMessage;
  /** Times this job was claimed before this claim (0 on the first run). */
  attempts: number;
  /** The last checkpoint, or null when nothing was saved yet. */
  progress: JobProgress | null;
}

export interface EnqueueResult {
  /** wamids queued now, in the order given. */
  queued: string[];
  /** wamids skipped because they were seen before (a redelivery). */
  duplicates: string[];
}

export interface WhatsAppInbox {
  /**
   * Queues the messages whose wamid was not seen before, in the order given, and records every wamid as seen.
   * Resolves once all of it is durable (committed to disk, or acknowledged by the store); rejects when it is not,
   * in which case the caller must not acknowledge the delivery (Meta will retry it). A wamid repeated within one
   * call is queued once.
   */
  enqueue(messages: readonly InboundMessage[]): Promise<EnqueueResult>;

  /**
   * Hands out up to `limit` jobs that are due and not claimed by anyone else, oldest first, each leased to the
   * caller for `leaseMs`. A job whose lease expired without `ack` or `retry` is due again. Resolves with an
   * empty array when nothing is due.
   */
  claim(limit: number, leaseMs: number): Promise<InboxJob[]>;

  /** Saves the job's progress (durably) and renews its lease for another `leaseMs` from now. */
  checkpoint(jobId: string, progress: JobProgress, leaseMs: number): Promise<void>;

  /** Removes a finished (answered, refused or abandoned) job for good. The wamid stays in the dedupe record. */
  ack(jobId: string): Promise<void>;

  /** Gives the job back unfinished: due again after `delayMs`, keeping its progress and attempt count. */
  retry(jobId: string, delayMs: number): Promise<void>;

  /** Jobs queued and not yet acknowledged (claimed ones included): the `whatsapp_queue_depth` gauge. */
  depth(): Promise<number>;

  /** True when the inbox can take messages now. Never rejects. */
  health(): Promise<boolean>;

  /** Releases the connection or file. Unfinished jobs stay queued for the next start. */
  close(): Promise<void>;
}
