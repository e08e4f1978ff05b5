// Cuts a document's text into chunks by its knowledge base's settings: at most `size` characters
// each, the next one starting with the last `overlap` characters of the one before (at a word
// boundary), and — when the base splits by headings — never across a Markdown heading, each chunk
// keeping the path of headings above it (["Férias", "Como pedir"]). Paragraphs are kept whole when
// they fit; a longer one is cut at sentence ends, and a sentence longer than a chunk at spaces.

export interface ChunkingSettings {
  /** Largest chunk, in characters. */
  size: number;
  /** Characters repeated from the end of one chunk at the start of the next (below size). */
  overlap: number;
  splitByHeadings: boolean;
}

export interface TextChunk {
  content: string;
  headingPath: string[];
  /** An estimate (about four characters a token), for budgeting prompts; not a tokenizer's count. */
  tokenCount: number;
}

interface Section {
  headingPath: string[];
  body: string;
}

const headingLine = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;

/** The text's sections under their headings (one section with no path when headings are not used). */
function sectionsOf(text: string, splitByHeadings: boolean): Section[] {
  if (!splitByHeadings) return [{ headingPath: [], body: text }];
  const sections: Section[] = [];
  const path: string[] = [];
  let lines: string[] = [];
  const close = () => {
    sections.push({ headingPath: [...path], body: lines.join("\n") });
    lines = [];
  };
  let inFence = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : headingLine.exec(line);
    if (!heading) {
      lines.push(line);
      continue;
    }
    close();
    const level = heading[1].length;
    path.length = Math.min(path.length, level - 1);
    while (path.length < level - 1) path.push("");
    path.push(heading[2].trim());
  }
  close();
  return sections.map((section) => ({ ...section, headingPath: section.headingPath.filter((title) => title !== "") }));
}

/** Pieces no longer than `size`: paragraphs, else sentences, else runs of words, else hard cuts. */
function piecesOf(body: string, size: number): string[] {
  const pieces: string[] = [];
  for (const paragraph of body.split(/\n[ \t]*\n+/)) {
    const trimmed = paragraph.trim();
    if (!trimmed) continue;
    if (trimmed.length <= size) {
      pieces.push(trimmed);
      continue;
    }
    for (const sentence of trimmed.split(/(?<=[.!?…])\s+/)) {
      if (sentence.length <= size) {
        pieces.push(sentence);
        continue;
      }
      let rest = sentence;
      while (rest.length > size) {
        const space = rest.lastIndexOf(" ", size);
        const cut = space > size / 2 ? space : size;
        pieces.push(rest.slice(0, cut).trim());
        rest = rest.slice(cut).trim();
      }
      if (rest) pieces.push(rest);
    }
  }
  return pieces;
}

/** The last `overlap` characters of `text`, starting at a word. */
function tailOf(text: string, overlap: number): string {
  if (overlap <= 0) return "";
  if (text.length <= overlap) return text;
  const tail = text.slice(text.length - overlap);
  const space = tail.indexOf(" ");
  return space >= 0 && space < tail.length - 1 ? tail.slice(space + 1) : tail;
}

export const estimatedTokens = (text: string) => Math.ceil(text.length / 4);

export function chunkText(text: string, settings: ChunkingSettings): TextChunk[] {
  const normalized = text.replace(/\r\n?/g, "\n").replace(/^\uFEFF/, "");
  const chunks: TextChunk[] = [];
  for (const section of sectionsOf(normalized, settings.splitByHeadings)) {
    let current = "";
    const flush = () => {
      if (current.trim()) chunks.push({ content: current.trim(), headingPath: section.headingPath, tokenCount: estimatedTokens(current.trim()) });
    };
    for (const piece of piecesOf(section.body, settings.size)) {
      const joined = current ? `${current}\n\n${piece}` : piece;
      if (joined.length <= settings.size) {
        current = joined;
        continue;
      }
      flush();
      const carried = tailOf(current, settings.overlap);
      current = carried && carried.length + 1 + piece.length <= settings.size ? `${carried} ${piece}` : piece;
    }
    flush();
  }
  return chunks;
}
