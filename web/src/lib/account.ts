// The signed-in person as the header shows them, from their profile (GET /me/profile).

export interface Account {
  email: string;
  /** The profile's full name; null when they left it empty. */
  name: string | null;
  /** The profile's photo (an http(s) URL); null shows their initials instead. */
  avatarUrl: string | null;
  /** Platform admins see the link to /admin. */
  isPlatformAdmin: boolean;
}

/**
 * Up to two letters for an avatar without a photo: the first and last names' initials ("Ana
 * Souza" → "AS"), else the first letter of the name or the email, else "?".
 */
export function initials(name: string | null, email: string): string {
  const words = (name ?? "").trim().split(/\s+/).filter((word) => /\p{L}|\p{N}/u.test(word));
  const letter = (word: string) => (word.match(/[\p{L}\p{N}]/u)?.[0] ?? "").toLocaleUpperCase();
  if (words.length >= 2) return letter(words[0]) + letter(words[words.length - 1]);
  if (words.length === 1) return letter(words[0]);
  return letter(email) || "?";
}
