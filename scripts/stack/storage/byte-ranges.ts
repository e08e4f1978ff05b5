// Range requests on downloads, as supabase/storage's parseRangeHeader (src/storage/range.ts): one
// range, `bytes=a-b`, `bytes=a-` or the suffix `bytes=-n`, clamped to the object; anything else
// is 416 `invalid_range`.
import { StorageError } from "./storage-errors.ts";

export interface ByteRange {
  fromByte: number;
  toByte: number;
}

const invalidRange = () => new StorageError(416, "InvalidRange", "invalid_range", "invalid range provided", 416);

export function parseRangeHeader(range: string, fileSize: number): ByteRange {
  const match = /^bytes=(\d*)-(\d*)$/.exec(range);
  if (!match || fileSize <= 0) throw invalidRange();
  const [, startValue, endValue] = match;
  if (!startValue && !endValue) throw invalidRange();
  if (!startValue) {
    const suffixLength = Number(endValue);
    if (!Number.isSafeInteger(suffixLength) || suffixLength <= 0) throw invalidRange();
    return { fromByte: Math.max(fileSize - suffixLength, 0), toByte: fileSize - 1 };
  }
  const fromByte = Number(startValue);
  const toByte = endValue ? Number(endValue) : fileSize - 1;
  if (!(Number.isSafeInteger(fromByte) && Number.isSafeInteger(toByte) && fromByte >= 0 && toByte >= fromByte && fromByte < fileSize)) throw invalidRange();
  return { fromByte, toByte: Math.min(toByte, fileSize - 1) };
}
