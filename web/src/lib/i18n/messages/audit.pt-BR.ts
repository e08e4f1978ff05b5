// Brazilian Portuguese for the company's audit log (/settings/audit): who did what to which thing, and when.
// Merged into pt-BR.ts under `audit`; audit.en.ts has the same keys.
const role = "{role, select, owner {proprietário} admin {administrador} member {membro} analyst {analista} other {{role}}}";

export const auditPtBR = {
  nav: "Auditoria",
  title: "Registro de auditoria",
  subtitle: "Tudo o que mudou em {tenant}: quem fez, o quê e quando.",
  count: "{count, plural, =0 {# registros} one {# registro} other {# registros}}",
  columns: { when: "Quando", who: "Quem", what: "O que" },
  filters: {
    label: "Filtrar o registro",
    action: "Ação",
    allActions: "Todas",
    actor: "Pessoa",
    allActors: "Todas",
    table: "Item",
    allTables: "Todos",
    from: "De",
    to: "Até",
    apply: "Filtrar",
    clear: "Limpar filtros",
  },
  actionNames: { insert: "Criação", update: "Alteração", delete: "Exclusão", read: "Consulta", decrypt: "Uso de chave" },
  tables: {
    tenants: "Empresa",
    memberships: "Membros",
    invitations: "Convites",
    agents: "Agentes",
    agent_shares: "Compartilhamentos de agentes",
    teams: "Equipes",
    team_agents: "Agentes das equipes",
    provider_keys: "Chaves de provedores",
  },
  actors: { support: "Suporte da Renum", system: "Sistema Renum", former: "Ex-membro da empresa" },
  sentences: {
    insert:
      "{table, select, tenants {Criou a empresa} agents {Criou o agente} agent_shares {Compartilhou um agente} teams {Criou a equipe} team_agents {Pôs um agente numa equipe} provider_keys {Adicionou uma chave de provedor} other {Criou um registro}}",
    update:
      "{table, select, tenants {Alterou os dados da empresa} agents {Alterou o agente} agent_shares {Alterou um compartilhamento de agente} teams {Alterou a equipe} team_agents {Alterou um agente numa equipe} provider_keys {Alterou uma chave de provedor} other {Alterou um registro}}",
    delete:
      "{table, select, tenants {Excluiu a empresa} agents {Excluiu o agente} agent_shares {Desfez um compartilhamento de agente} teams {Excluiu a equipe} team_agents {Tirou um agente de uma equipe} provider_keys {Excluiu uma chave de provedor} other {Excluiu um registro}}",
    read: "{table, select, tenants {Consultou os dados da empresa} other {Consultou um registro}}",
    decrypt: "{table, select, provider_keys {Usou uma chave de provedor} other {Leu um dado protegido}}",
    memberJoined: `Entrou na empresa como ${role}`,
    memberAdded: `Adicionou um membro como ${role}`,
    memberRoleChanged: `Mudou o papel de um membro para ${role}`,
    memberRemoved: "Removeu um membro",
    memberLeft: "Saiu da empresa",
    invited: `Convidou uma pessoa como ${role}`,
    invitationAccepted: "Aceitou um convite",
    invitationCancelled: "Cancelou um convite",
    statusChanged: "Mudou a situação da empresa para {status, select, active {ativa} inactive {inativa} suspended {suspensa} other {{status}}}",
  },
  changedFields: "Campos alterados: {fields}",
  emptyTitle: "Nada registrado ainda",
  emptyText: "As alterações feitas na empresa aparecem aqui assim que acontecem.",
  noResultsTitle: "Nenhum registro encontrado",
  noResultsText: "Nada corresponde a esses filtros. Tente outro período ou limpe os filtros.",
  forbiddenTitle: "Só para proprietários e administradores",
  forbiddenText: "O registro de auditoria mostra tudo o que mudou na empresa, por isso só proprietários e administradores podem vê-lo. Se precisar dele, peça a um deles.",
};
