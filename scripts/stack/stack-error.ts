// A failure the person at the keyboard can act on: one line saying what broke and what to do.
export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackError";
  }
}
