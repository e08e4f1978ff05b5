import type { TransactionSql } from "../../_shared/user-transaction.ts";

/** An interview row `i` with its contact `ct` as the API's Interview (schemas/projects.ts). */
export function interviewColumns(tx: TransactionSql) {
  return tx.unsafe(`to_jsonb(i) || jsonb_build_object('contact', jsonb_build_object('id', ct.id, 'name', ct.name, 'phone', ct.phone))`);
}
