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

export interface DatabaseMessage {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  payload: unknown;
}

type Notification = DatabaseMessage | { id: string; inserted_at: string };

export interface DatabaseBroadcasts {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function databaseBroadcasts(sql: Sql, deliver: (message: DatabaseMessage) => void, log: (line: string) => void): DatabaseBroadcasts {
  let listener: ListenMeta | undefined;
  let inOrder: Promise<void> = Promise.resolve();

  // inserted_at travels as text: as a timestamp parameter postgres.js would round it to milliseconds.
  async function messageFor(notification: Notification): Promise<DatabaseMessage | undefined> {
    if ("topic" in notification) return notification;
    const [row] = await sql<DatabaseMessage[]>`
      select id, topic, event, private, payload from realtime.messages
      where id = ${notification.id} and inserted_at = ${notification.inserted_at}::text::timestamp`;
    return row;
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
