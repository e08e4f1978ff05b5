// The app's sections, in the order the navigation shows them. Teams and runs are placeholders
// (`soon`) until their pages land; their routes already exist so links never break.
export interface NavItem {
  href: string;
  /** Message key of the label. */
  label: string;
  /** Only the exact path is this item (the dashboard), not the paths under it. */
  exact?: boolean;
  soon?: boolean;
}

export const navItems: NavItem[] = [
  { href: "/", label: "nav.dashboard", exact: true },
  { href: "/agents", label: "nav.agents" },
  { href: "/teams", label: "nav.teams" },
  { href: "/executions", label: "nav.executions" },
  { href: "/inbox", label: "nav.inbox" },
  { href: "/contacts", label: "nav.contacts" },
  { href: "/projects", label: "nav.projects" },
  { href: "/knowledge", label: "nav.knowledge" },
  { href: "/analytics", label: "nav.analytics" },
  { href: "/settings", label: "nav.settings" },
];

export function isCurrent(item: NavItem, pathname: string): boolean {
  return item.exact ? pathname === item.href : pathname === item.href || pathname.startsWith(`${item.href}/`);
}
