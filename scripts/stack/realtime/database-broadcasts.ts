import type { ListenMeta, Sql } from "postgres";

// Broadcast from the database: rows that realtime.send() / realtime.broadcast_changes() store in
// realtime.messages, announced by the NOTIFY of bootstrap/045-realtime-notify.sql. Notifications
// arrive in commit order and are handed on strictly in that order (a row too large to ride in its
// notification is read back first, holding the ones behind it), so each topic keeps its order.
//
// The cursor is the LISTEN session itself: only rows committed while it listens are delivered, each
// once, and a restarted service starts from "now" without replaying older rows, as Supabase's
// Realtime does with its temporary replication slot.

export const messagesInsertedChannel = "realtime_messages_inserted";

// Realtime checks each row's payload (the JSON text logical replication carries) against the
// project's max_payload_size_in_kb (default 3000) before broadcasting it: the Erlang external
// size of that text (its bytes + 6) may be at most max_payload_size_in_kb * 1000 + 500
// (lib/realtime/tenants.ex validate_payload_size/2). A larger row stays stored, is not
// broadcast, and Realtime logs `UnableToBroadcastChanges: :payload_size_exceeded`.
const maxPayloadSizeInKb = 3_000;
export const maxDatabasePayloadBytes = maxPayloadSizeInKb * 1_000 + 500 - 6;

export interface DatabaseMessage {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  payload: unknown;
}

type Notification = DatabaseMessage | { id: string; inserted_at: string };

type StoredMessage = DatabaseMessage & { payload_bytes: number };

export interface DatabaseBroadcasts {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function databaseBroadcasts(sql: Sql, deliver: (message: DatabaseMessage) => void, log: (line: string) => void): DatabaseBroadcasts {
  let listener: ListenMeta | undefined;
  let inOrder: Promise<void> = Promise.resolve();

  // A row small enough to ride in its notification is far below the payload limit. A larger one is
  // read back, with the size of its payload as replication would carry it (jsonb's text form).
  // inserted_at travels as text: as a timestamp parameter postgres.js would round it to milliseconds.
  async function messageFor(notification: Notification): Promise<DatabaseMessage | undefined> {
    if ("topic" in notification) return notification;
    const [row] = await sql<StoredMessage[]>`
      select id, topic, event, private, payload, octet_length(payload::text) as payload_bytes from realtime.messages
      where id = ${notification.id} and inserted_at = ${notification.inserted_at}::text::timestamp`;
    if (!row) return undefined;
    const { payload_bytes: payloadBytes, ...message } = row;
    if (payloadBytes > maxDatabasePayloadBytes) {
      log(`[realtime] UnableToBroadcastChanges: :payload_size_exceeded (message ${row.id}, ${payloadBytes} bytes)`);
      return undefined;
    }
    return message;
  }

  function received(text: string): void {
    inOrder = inOrder
      .then(async () => {
        const message = await messageFor(JSON.parse(text) as Notification);
        if (message) deliver(message);
      })
      .catch((error) => log(`[realtime] a database broadcast could not be delivered: ${error instanceof Error ? error.message : String(error)}`));
  }

  return {
    async start() {
      listener = await sql.listen(messagesInsertedChannel, received);
    },
    async stop() {
      await listener?.unlisten().catch(() => undefined);
      await inOrder;
    },
  };
}
