// The API speaks English, in one error shape; people read Portuguese first. These turn an API
// failure (its code, the rule it names and its field messages) into words for the page's language:
// known codes and field messages are translated, anything else is shown as the API wrote it (it is
// written for people and always safe to show). The API's wording is never matched: a rule is
// recognised by its code or, for a conflict, by the constraint its details name.
import type { Locale } from "./locales";

export type Translate = (id: string, options?: { values?: Record<string, string | number> }) => string;

/** What a failed form action or page error carries from the API. */
export interface ApiProblem {
  code?: string;
  message: string;
  fields?: Record<string, string>;
  /** The database rule a conflict or validation failure names (`details[].constraint`). */
  reason?: string;
}

type Rule = [RegExp, (match: RegExpMatchArray, t: Translate) => string];

const fieldRules: Rule[] = [
  [/^Must not be empty\.$/, (_, t) => t("fields.empty")],
  [/^Is required\.$/, (_, t) => t("fields.required")],
  [/^Must have at most (\d+) characters\.$/, ([, max], t) => t("fields.atMost", { values: { max } })],
  [/^Must have at least (\d+) characters\.$/, ([, min], t) => t("fields.atLeast", { values: { min } })],
  [/^Must be an http\(s\) URL\.$/, (_, t) => t("fields.url")],
  [/^Must be an email address\.$/, (_, t) => t("fields.email")],
  [/^Must be a uuid\.$/, (_, t) => t("fields.uuid")],
  [/^Must be between (-?[\d.]+) and (-?[\d.]+)\.$/, ([, min, max], t) => t("fields.between", { values: { min, max } })],
  [/^Must be a whole number\.$/, (_, t) => t("fields.wholeNumber")],
  [/^(Must be a number\.|Invalid input: expected number.*)$/, (_, t) => t("fields.number")],
  [/^(?:Must be at least|Too small: expected number to be >=?) ?(-?[\d.]+)\.?$/, ([, min], t) => t("fields.minimum", { values: { min } })],
  [/^(?:Must be at most|Too big: expected number to be <=?) ?(-?[\d.]+)\.?$/, ([, max], t) => t("fields.maximum", { values: { max } })],
  [/^Must be a valid CNPJ/, (_, t) => t("fields.cnpj")],
  [/^Use lowercase letters, digits and single hyphens/, (_, t) => t("fields.slug")],
  [/^Already taken\.$/, (_, t) => t("fields.taken")],
  [/^Unknown field\.$/, (_, t) => t("fields.unknownField")],
  // Responder settings (#13): hours, time zone and words.
  [/^Must be a time as HH:MM/, (_, t) => t("responder.fields.time")],
  [/^Must open before it closes\.$/, (_, t) => t("responder.fields.opensBeforeCloses")],
  [/^Must be a time zone name/, (_, t) => t("responder.fields.timeZone")],
  [/^Is also an opt-out word\.$/, (_, t) => t("responder.fields.inBothLists")],
  [/^Must have a letter or a digit\.$/, (_, t) => t("responder.fields.letterOrDigit")],
  [/^At most 4 periods a day\.$/, (_, t) => t("responder.fields.atMostPeriods")],
  [/^At most 50 (words|keywords)\.$/, (_, t) => t("responder.fields.atMostWords")],
  // Project scripts (#17).
  [/^Give at least (\d+) options\.$/, ([, min], t) => t("projects.fields.atLeastOptions", { values: { min } })],
  [/^Give at most (\d+) options\.$/, ([, max], t) => t("projects.fields.atMostOptions", { values: { max } })],
  [/^A one_of question needs its options\.$/, (_, t) => t("projects.fields.optionsNeeded")],
  [/^Only one_of questions have options\.$/, (_, t) => t("projects.fields.noOptions")],
  [/^Use 1-40 characters of a-z, 0-9 and _\.$/, (_, t) => t("projects.fields.questionId")],
  [/^Question ids must differ\.$/, (_, t) => t("projects.fields.questionIdsDiffer")],
  [/^Use \+ and the first digits of the phone/, (_, t) => t("projects.fields.phonePrefix")],
  [/^Say whom to invite/, (_, t) => t("projects.fields.sayWhom")],
  // Notification rules (#13): roles and channels.
  [/^Too small: expected array to have >=?1 items?$/, (_, t) => t("notifications.fields.chooseOne")],
  [/^Name each role once\.$/, (_, t) => t("notifications.fields.roleOnce")],
  [/^Name each channel once\.$/, (_, t) => t("notifications.fields.channelOnce")],
];

/** One field's message from the API, in the page's language. */
export function fieldMessage(message: string, t: Translate): string {
  for (const [pattern, translate] of fieldRules) {
    const match = message.match(pattern);
    if (match) return translate(match, t);
  }
  return message;
}

const translatedCodes = new Set([
  "not_found",
  "forbidden",
  "conflict",
  "validation_failed",
  "budget_exhausted",
  // #18: the budget is the owners' to set.
  "budget_owner_only",
  "tenant_not_found",
  "tenant_required",
  "unauthorized",
  "internal_error",
  "database_unavailable",
  "transaction_conflict",
  "statement_timeout",
  "api_unreachable",
  "unexpected_response",
  "test_unavailable",
  "address_not_allowed",
  "invitation_token_invalid",
  "invitation_email_mismatch",
  "invitation_already_used",
  "invitation_expired",
  "invitation_email_rate_limited",
  "invitation_email_failed",
  "invitation_email_unavailable",
  "endpoint_required",
  "shared_agent_field_locked",
  "provider_key_share_forbidden",
]);

// The database rules that have their own words (api.rules.<code>), in both languages.
const ruleCodes = new Set([
  // Projects and interviews (#17): their rules, launching, CSV uploads and the decisions on interviews.
  "project_not_found",
  "interview_not_found",
  "projects_run_by_inbox_managers",
  "project_status_transition",
  "project_questions_locked",
  "project_not_draft",
  "project_completed",
  "project_not_launchable",
  "project_questions_invalid",
  "project_inbox_not_in_tenant",
  "project_team_not_in_tenant",
  "launch_selection_invalid",
  "launch_selection_too_large",
  "interview_not_active",
  "interview_not_cancellable",
  "interview_not_resendable",
  "interview_cancel_reason_required",
  "interview_answer_invalid",
  "interview_question_unknown",
  "contact_unreachable",
  "csv_invalid",
  "csv_unknown_column",
  "csv_phone_column_missing",
  "csv_too_many_rows",
  "csv_no_contacts",
  // WhatsApp webhooks (#12): the raw events owners and admins list and replay.
  "webhook_event_not_found",
  "webhook_event_already_processed",
  "team_has_runs_in_flight",
  "team_inactive",
  "team_has_no_agents",
  "tenant_keeps_an_owner",
  "owners_change_owners",
  "owners_invite_owners",
  "share_grantee_is_member",
  "executions_start_by_builders",
  "executions_stop_by_builders",
  // Codes given to the database's last raises that had none (#11): refusals the forms prevent,
  // said in the person's words when a request gets past them.
  "sign_in_required",
  "provider_key_invalid",
  "endpoint_required",
  "endpoint_not_accepted",
  "endpoint_invalid",
  "personal_key_not_shareable",
  "share_grantee_required",
  "agent_config_invalid",
  // WhatsApp data (#12): inboxes, contacts, conversations.
  "invalid_phone",
  "inbox_not_found",
  "inbox_secret_unknown",
  "inbox_secret_missing",
  "inbox_provider_ids_invalid",
  "conversation_already_open",
  "assignee_not_member",
  "unread_count_reset_only",
  // Outbound delivery (#13, outbound): replies and their delivery.
  "conversation_closed",
  "conversation_not_found",
  "message_role_invalid",
  "message_body_empty",
  "message_body_too_long",
  "sender_not_member",
  "execution_not_in_tenant",
  "dead_letter_not_found",
  "conversations_reply_by_handlers",
  "dead_letters_by_inbox_managers",
  // Message templates outside Meta's 24-hour window (#13, templates): syncing and sending them.
  "inbox_not_meta",
  "inbox_waba_missing",
  "templates_managed_by_inbox_managers",
  "template_not_found",
  "template_not_approved",
  "template_parameter_count_mismatch",
  "template_parameter_invalid",
  "window_template_parameters",
  "template_needs_more_parameters",
  "template_header_missing",
  "template_header_not_expected",
  "template_header_invalid",
  "template_header_link_invalid",
  "template_buttons_mismatch",
  "template_button_invalid",
  "provider_credentials_invalid",
  "provider_permission_denied",
  "provider_account_not_found",
  "provider_too_many_templates",
  // Who answers on WhatsApp (#13, responder): an inbox's responder settings.
  "responder_inbox_not_in_tenant",
  "responder_team_not_in_tenant",
  // The team workflow's rules (#18): said beside the field they name and above the form.
  "team_agent_limit",
  // #18: team templates.
  "team_template_unknown",
  "team_template_language",
  "team_agent_not_in_company",
  "team_agent_archived",
  "team_input_invalid",
  "team_source_limit",
  "team_condition_limit",
  "team_condition_invalid",
  "team_reference_outside_team",
  "team_reference_cycle",
  "team_order_shared",
  "team_one_leader",
  "team_agent_config_invalid",
  // Company tools (#16): the tools an agent calls during runs.
  "tenant_tool_not_found",
  "tenant_tool_secret_not_found",
  "tenant_tool_name_taken",
  "tenant_tool_header_invalid",
  "tenant_tool_secret_length",
  "agent_tool_unknown",
  // Analytics (#15): a view name that is not one of the analytics views.
  "analytics_view_unknown",
  "analyst_logins_by_managers",
  "analyst_login_limit",
  "analyst_login_not_found",
  // Knowledge (#14): bases, documents, search, and why a document failed ingestion.
  "knowledge_base_not_found",
  "document_not_found",
  "knowledge_base_in_use",
  "agent_knowledge_base_not_found",
  "document_version_stale",
  "document_status_service_only",
  "document_status_transition",
  "document_versions_immutable",
  "document_file_missing",
  "document_nothing_to_reingest",
  "knowledge_service_only",
  "knowledge_usage_agent",
  "document_chunks_shape",
  "search_match_count",
  "search_vector_weight",
  "search_query_missing",
  "search_query_length",
  "document_source_missing",
  "document_fetch_failed",
  "document_too_large",
  "document_type_unsupported",
  "document_encoding",
  "document_unreadable",
  "document_empty",
  "embedding_request_failed",
  "embedding_answer_invalid",
  "embedding_unavailable",
  "embedding_key_required",
  "embedding_key_not_accepted",
  "embedding_key_not_usable",
  "embedding_key_unavailable",
  "embedding_key_refused",
  "ingest_failed",
  "ingest_attempts_exhausted",
  "ingest_lease_lost",
  // MCP tokens (#16): made, listed and revoked in the company's settings.
  "mcp_token_forbidden",
  "mcp_token_not_found",
  "mcp_token_name_invalid",
  "mcp_token_scope_invalid",
  "mcp_token_expiry_past",
  "mcp_token_invalid",
  // Leads → customers (#17, leads): stages, qualification requests and rules, conversion.
  "contact_not_found",
  "contact_not_a_lead",
  "stage_transition_invalid",
  "stage_needs_conversion",
  "contact_stage_direct_change",
  "contact_stage_changes_append_only",
  "qualification_request_pending",
  "qualification_request_decided",
  "qualification_request_not_found",
  "qualification_needs_conversation",
  "qualification_rules_required_evidence_keys",
  // The admin console (#17, leads): audited commands.
  "admin_command_not_signed_in",
  "admin_command_forbidden",
  "admin_command_target_not_found",
  "admin_command_reason_required",
  "admin_command_reason_too_long",
  "admin_command_arguments_invalid",
  "admin_command_unavailable",
  "admin_command_unconfirmed",
  "admin_commands_append_only",
  // Approval steps (#18, approval): a person approves or rejects an agent's output.
  "team_agent_approval_invalid",
  "approval_not_approver",
  "approval_not_waiting",
  "approval_output_invalid",
  "approval_reason_invalid",
]);

// Which unique rule a conflict broke (the constraint or index name in its details).
const conflictWords: Record<string, string> = {
  tenants_slug_unique: "api.slugTaken",
  agent_shares_one_per_user: "api.alreadyShared",
  agent_shares_one_per_tenant: "api.alreadyShared",
  invitations_one_pending_per_email: "api.alreadyInvited",
  invitations_invitee_is_member: "api.alreadyMember",
  tenant_tool_name_taken: "api.rules.tenant_tool_name_taken",
  tenant_tools_name_unique: "api.rules.tenant_tool_name_taken",
};

// Codes whose wording is the app's own, even in English (the API's message is for developers).
const ownWordingInEnglish = new Set(["api_unreachable", "unexpected_response", "internal_error", "unauthorized"]);

/** The failure as one sentence for the top of a form or an error page. */
export function apiMessage(problem: ApiProblem, t: Translate, locale: Locale): string {
  const { code = "", message, fields = {}, reason } = problem;
  // A field refused by a database rule with its own words (the rule's code is the details' constraint).
  if (code === "validation_failed" && reason && ruleCodes.has(reason)) return t(`api.rules.${reason}`);
  if (code === "validation_failed" && Object.keys(fields).length > 0) return t("common.fixFields");
  if (code === "conflict") {
    const words = (reason && conflictWords[reason]) ?? (fields.slug ? "api.slugTaken" : null);
    if (words) return t(words);
  }
  if (code === "share_grantee_not_found") return t("api.granteeNotFound");
  // A suspended or inactive company refuses every change; say why rather than "not allowed".
  if (code === "tenant_read_only") return t("account.tenantReadOnly");
  if (ruleCodes.has(code)) return t(`api.rules.${code}`);
  if (locale === "en" && !ownWordingInEnglish.has(code)) return message;
  if (code === "rule_violated") return t("api.rule_violated", { values: { message } });
  if (translatedCodes.has(code)) return t(`api.${code}`);
  return message;
}

/**
 * Every field's message in the page's language. A field refused by a database rule with its own
 * words (`fieldRules`: field → the rule's code) says the rule; the others are translated by shape.
 */
export function fieldMessages(fields: Record<string, string> | undefined, t: Translate, fieldRules: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(fields ?? {}).map(([name, message]) => {
    const rule = fieldRules[name];
    return [name, rule && ruleCodes.has(rule) ? t(`api.rules.${rule}`) : fieldMessage(message, t)];
  }));
}
