// The keyless embedder: a deterministic LEXICAL vector, not a semantic one. Each word and each
// character trigram of each word is hashed (FNV-1a) into one of 384 dimensions with a hashed sign,
// weighted by 1 + log(count), and the vector is L2-normalised. Texts that share words and word
// pieces ("contrato", "contratos") come out close; synonyms with no letters in common do not.
// It needs no key, no network and no model, so search works offline and in tests; the UI and the
// docs call it "lexical" so nobody mistakes it for a semantic model.
export const embeddingDimension = 384;
export const lexicalModel = "lexical-v1";

/** Lowercase words without accents, as the embedder sees them. */
export function lexicalWords(text: string): string[] {
  return text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The lexical vector of `text` (384 numbers, unit length; all zeros for text without words).
 * `seed` gives another, equally deterministic space (the fake embeddings server uses one so a test
 * can tell which embedder produced a vector).
 */
export function lexicalEmbedding(text: string, seed = 0): number[] {
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  for (const word of lexicalWords(text)) {
    add(`w:${word}`);
    const padded = `^${word}$`;
    for (let index = 0; index + 3 <= padded.length; index++) add(`c:${padded.slice(index, index + 3)}`);
  }
  const vector = new Array<number>(embeddingDimension).fill(0);
  for (const [feature, count] of counts) {
    const hash = fnv1a(feature, seed);
    const sign = (hash & 0x80000000) === 0 ? 1 : -1;
    // Whole words weigh more than their pieces: they are what a reader searches for.
    const weight = (feature.startsWith("w:") ? 2 : 1) * (1 + Math.log(count));
    vector[hash % embeddingDimension] += sign * weight;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}
