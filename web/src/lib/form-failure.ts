/** What a form action answers when the API refused: shown above the form and beside its fields. */
export interface FormFailure {
  message: string;
  code: string;
  /** The database rule the API's details name (a conflict's constraint), when there is one. */
  reason?: string;
  /** Field name → the API's message for it. */
  fields: Record<string, string>;
  /** Field name → the code of the database rule that refused it, when the API names one. */
  fieldRules?: Record<string, string>;
  /** What the person typed, to put back in the form (never secrets). */
  values: Record<string, string>;
  /** Which form on the page failed, when a page has several. */
  form?: string;
}
