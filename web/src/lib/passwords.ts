// What a new password must be, checked the same way in the browser (as the person types) and in
// the form actions (which trust only themselves). Supabase Auth has the last word
// (`minimum_password_length` in supabase/config.toml, which is 6).
export const minimumPasswordLength = 6;

export type NewPasswordProblem = "too_short" | "mismatch";

export function newPasswordProblem(password: string, confirmation: string): NewPasswordProblem | null {
  if ([...password].length < minimumPasswordLength) return "too_short";
  if (password !== confirmation) return "mismatch";
  return null;
}
