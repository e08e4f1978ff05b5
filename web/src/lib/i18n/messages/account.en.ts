// English for the person's account around the app: the same keys as account.pt-BR.ts (the Messages
// type checks it through en.ts).
export const accountEn = {
  avatarUrl: "Photo address (optional)",
  avatarUrlHelp: "An http(s) link to an image. Leave it empty to show your initials.",
  removeAvatar: "Remove photo",
  platformAdmin: "Platform admin",
  suspendedTitle: "{name} is suspended.",
  inactiveTitle: "{name} is inactive.",
  readOnly: "You can read its data, but nothing can be created, changed or run. To reactivate the company, contact Renum support.",
  tenantReadOnly: "This company is suspended or inactive: you can read its data but not change anything.",
};
