// Brazilian Portuguese for the person's account around the app: their photo, the platform admins'
// link in the account menu, and the notice of a suspended or inactive company.
// Merged into pt-BR.ts under `account`; account.en.ts has the same keys.
export const accountPtBR = {
  avatarUrl: "Endereço da foto (opcional)",
  avatarUrlHelp: "Um link http(s) para uma imagem. Deixe em branco para mostrar suas iniciais.",
  removeAvatar: "Remover foto",
  platformAdmin: "Painel da plataforma",
  suspendedTitle: "{name} está suspensa.",
  inactiveTitle: "{name} está inativa.",
  readOnly: "Você pode consultar os dados, mas nada pode ser criado, alterado ou executado. Para reativar a empresa, fale com o suporte da Renum.",
  tenantReadOnly: "Esta empresa está suspensa ou inativa: dá para consultar os dados, mas não alterar nada.",
};
