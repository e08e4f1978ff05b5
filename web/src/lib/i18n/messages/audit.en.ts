// English for the company's audit log: the same keys as audit.pt-BR.ts (the Messages type checks it
// through en.ts).
const role = "{role, select, owner {owner} admin {admin} member {member} analyst {analyst} other {{role}}}";

export const auditEn = {
  nav: "Audit log",
  title: "Audit log",
  subtitle: "Everything that changed in {tenant}: who did it, what and when.",
  count: "{count, plural, one {# entry} other {# entries}}",
  columns: { when: "When", who: "Who", what: "What" },
  filters: {
    label: "Filter the log",
    action: "Action",
    allActions: "All",
    actor: "Person",
    allActors: "Everyone",
    table: "Item",
    allTables: "All",
    from: "From",
    to: "To",
    apply: "Filter",
    clear: "Clear filters",
  },
  actionNames: { insert: "Created", update: "Changed", delete: "Deleted", read: "Read", decrypt: "Key used" },
  tables: {
    tenants: "Company",
    memberships: "Members",
    invitations: "Invitations",
    agents: "Agents",
    agent_shares: "Agent sharing",
    teams: "Teams",
    team_agents: "Team agents",
    provider_keys: "Provider keys",
  },
  actors: { support: "Renum support", system: "Renum system", former: "Former member" },
  sentences: {
    insert:
      "{table, select, tenants {Created the company} agents {Created the agent} agent_shares {Shared an agent} teams {Created the team} team_agents {Put an agent in a team} provider_keys {Added a provider key} other {Created a record}}",
    update:
      "{table, select, tenants {Changed the company's details} agents {Changed the agent} agent_shares {Changed an agent's sharing} teams {Changed the team} team_agents {Changed an agent in a team} provider_keys {Changed a provider key} other {Changed a record}}",
    delete:
      "{table, select, tenants {Deleted the company} agents {Deleted the agent} agent_shares {Stopped sharing an agent} teams {Deleted the team} team_agents {Took an agent out of a team} provider_keys {Deleted a provider key} other {Deleted a record}}",
    read: "{table, select, tenants {Read the company's details} other {Read a record}}",
    decrypt: "{table, select, provider_keys {Used a provider key} other {Read protected data}}",
    memberJoined: `Joined the company as ${role}`,
    memberAdded: `Added a member as ${role}`,
    memberRoleChanged: `Changed a member's role to ${role}`,
    memberRemoved: "Removed a member",
    memberLeft: "Left the company",
    invited: `Invited someone as ${role}`,
    invitationAccepted: "Accepted an invitation",
    invitationCancelled: "Cancelled an invitation",
    statusChanged: "Set the company's status to {status, select, active {active} inactive {inactive} suspended {suspended} other {{status}}}",
  },
  changedFields: "Fields changed: {fields}",
  emptyTitle: "Nothing logged yet",
  emptyText: "Changes made in the company show up here as they happen.",
  noResultsTitle: "No entries found",
  noResultsText: "Nothing matches these filters. Try another period or clear the filters.",
  forbiddenTitle: "For owners and admins only",
  forbiddenText: "The audit log shows everything that changed in the company, so only its owners and admins can see it. If you need it, ask one of them.",
};
