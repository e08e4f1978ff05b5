-- Every security-definer function in public and private is exercised by a pgTAP test.
--
-- A security-definer function runs with its owner's rights whoever calls it, so each one is a door
-- that a test must have tried. The list below names, for each, the test file that exercises it and
-- what in that file does (the function's name when it is called directly; the error it raises or
-- what fires it when it is a trigger or a policy helper). This file fails for any security-definer
-- function missing from the list (a new one without a test) and for any listed one that is gone or
-- no longer security definer; scripts/test/security-definer-coverage.test.ts checks that each named
-- file exists and contains what the list says exercises the function.
begin;
set search_path to public, extensions, tests;

select plan(2);

create temporary table covered (function_name text primary key, test_file text not null, exercised_by text not null);
insert into covered (function_name, test_file, exercised_by) values
  ('private.advance_execution',                        '085-execution-engine.test.sql', 'advance_execution'),
  ('private.agents_shared_with_caller',                '045-share-lookups.test.sql', 'agent_shares'),
  ('private.append_execution_event',                   '080-executions.test.sql', 'execution_events'),
  ('private.assert_outbound_url',                      '055-outbound-urls.test.sql', 'address_not_allowed'),
  ('private.assert_platform_admin',                    '030-tenancy.test.sql', 'admin_list_tenants'),
  ('private.assert_tenant_writable',                   '030-tenancy.test.sql', 'this company is '),
  ('private.audit_platform_admin_read',                '060-audit-log.test.sql', 'admin_get_tenant'),
  ('private.audit_row_change',                         '060-audit-log.test.sql', 'from public.audit_log'),
  ('private.begin_execution',                          '085-execution-engine.test.sql', 'claim_steps'),
  ('private.can_watch_execution_topic',                '080-executions.test.sql', 'set_config(''realtime.topic'', ''execution:'''),
  ('private.cancel_open_steps',                        '080-executions.test.sql', 'stop_execution'),
  ('private.cancel_interviews_of_opted_out_contact',   '198-interview-opt-out.test.sql', 'contact_opted_out'),
  ('private.check_agent_tools',                        '040-agents.test.sql', 'tools: "'),
  ('private.check_team_workflow_at_commit',            '071-sql-rules.test.sql', 'teams_workflow_valid'),
  ('private.checked_invitation',                       '032-invitation-links.test.sql', 'this invitation link is not valid'),
  ('private.prepare_tenant_tool',                      '180-tool-registry.test.sql', 'tools: "'),
  ('private.forget_tenant_tool_secret',                '180-tool-registry.test.sql', 'from private.tenant_tool_secrets'),
  ('public.set_tenant_tool_secret',                    '180-tool-registry.test.sql', 'set_tenant_tool_secret'),
  ('public.tenant_tool_secret_names',                  '180-tool-registry.test.sql', 'tenant_tool_secret_names'),
  ('private.step_tools',                               '180-tool-registry.test.sql', 'step_tools'),
  ('private.decide_step_approval',                     '090-approval-steps.test.sql', 'reap_executions'),
  ('private.step_to_decide',                           '090-approval-steps.test.sql', 'approval_not_approver'),
  ('public.approve_execution_step',                    '090-approval-steps.test.sql', 'approve_execution_step'),
  ('public.reject_execution_step',                     '090-approval-steps.test.sql', 'reject_execution_step'),
  ('private.record_tool_call',                         '181-step-tools.test.sql', 'record_tool_call'),
  ('private.mcp_token_caller',                         '182-mcp-tokens.test.sql', 'mcp_token_caller'),
  ('private.tenant_tool_definition',                   '182-mcp-tokens.test.sql', 'tenant_tool_definition'),
  ('public.create_mcp_token',                          '182-mcp-tokens.test.sql', 'create_mcp_token'),
  ('public.revoke_mcp_token',                          '182-mcp-tokens.test.sql', 'revoke_mcp_token'),
  ('private.claim_steps',                              '085-execution-engine.test.sql', 'claim_steps'),
  ('private.complete_step',                            '085-execution-engine.test.sql', 'complete_step'),
  ('private.create_profile_for_new_user',              '030-tenancy.test.sql', 'select row(email, full_name, locale)::text from public.profiles'),
  ('private.current_provider_key_encryption_key',      '050-provider-keys.test.sql', 'set_provider_key'),
  ('private.decrypt_provider_key',                     '050-provider-keys.test.sql', 'decrypt_provider_key'),
  ('private.decrypt_provider_key_for_step',            '053-step-key-choice.test.sql', 'decrypt_provider_key_for_step'),
  ('private.ensure_tenant_keeps_an_owner',             '037-concurrency-invariants.test.sql', 'a company must keep at least one owner'),
  ('private.execution_field_value',                    '085-execution-engine.test.sql', 'resolved_input'),
  ('private.execution_final_result',                   '085-execution-engine.test.sql', 'final_result'),
  ('private.fail_step',                                '085-execution-engine.test.sql', 'fail_step'),
  ('private.failed_condition',                         '085-execution-engine.test.sql', 'conditions'),
  ('private.guard_invitation_role',                    '030-tenancy.test.sql', 'only an owner can invite another owner'),
  ('private.guard_owner_changes',                      '030-tenancy.test.sql', 'only an owner can add, change or remove an ow'),
  ('private.guard_platform_admin_flag',                '030-tenancy.test.sql', 'only the service role can grant or revoke pla'),
  ('private.guard_provider_key_sharing',               '051-provider-key-binding-and-sharing.test.sql', 'only owners and admins of the company can sha'),
  ('private.guard_provider_key_tenant',                '050-provider-keys.test.sql', 'this company is '),
  ('private.guard_shared_agent_edit',                  '052-shared-agent-edits.test.sql', 'analysts can read agents but not change them'),
  ('private.guard_tenant_update',                      '030-tenancy.test.sql', 'this company is '),
  ('private.guard_tenant_writable',                    '030-tenancy.test.sql', 'this company is '),
  ('private.has_capability',                           '071-sql-rules.test.sql', 'my_capabilities'),
  ('private.has_role',                                 '030-tenancy.test.sql', 'an admin revokes an invitation'),
  ('private.is_member',                                '030-tenancy.test.sql', 'member of A sees tenant A and only tenant A'),
  ('private.is_platform_admin',                        '030-tenancy.test.sql', 'is_platform_admin'),
  ('private.kick_executor',                            '086-executor-watchdog.test.sql', 'once the lease ran out, the watchdog kicks the executor'),
  ('private.kick_executor_for_started_run',            '086-executor-watchdog.test.sql', 'kicks_since_setup'),
  ('private.lock_tenant_run_admission',                '037-concurrency-invariants.test.sql', 'budget'),
  ('private.next_step_attempt_at',                     '085-execution-engine.test.sql', 'fail_step'),
  ('private.outbound_url_refusal',                     '055-outbound-urls.test.sql', 'outbound_url_refusal'),
  ('private.prepare_agent',                            '040-agents.test.sql', 'the new agent is trimmed'),
  ('private.prepare_agent_share',                      '040-agents.test.sql', 'this person already belongs to the agent'),
  ('private.prepare_team_agent',                       '036-input-bounds.test.sql', 'team_agents'),
  ('private.process_webhook_event',                    '132-webhook-processing.test.sql', 'process_webhook_event'),
  ('private.process_webhook_events',                   '132-webhook-processing.test.sql', 'process_webhook_events'),
  ('private.provider_key_encryption_key',              '050-provider-keys.test.sql', 'rotate_provider_key_encryption_key'),
  ('private.provider_key_for_step',                    '053-step-key-choice.test.sql', 'provider_key_for_step'),
  ('private.reap_executions',                          '085-execution-engine.test.sql', 'reap_executions'),
  ('private.record_agent_version',                     '040-agents.test.sql', 'agent_versions'),
  ('private.refuse_deleting_team_with_runs_in_flight', '071-sql-rules.test.sql', 'team_has_runs_in_flight'),
  ('private.refuse_invitation_of_member',              '071-sql-rules.test.sql', 'invitations_invitee_is_member'),
  ('private.renew_step_lease',                         '085-execution-engine.test.sql', 'renew_step_lease'),
  ('private.rescue_stalled_runs',                      '086-executor-watchdog.test.sql', 'rescue_stalled_runs'),
  ('private.resolve_step_input',                       '085-execution-engine.test.sql', 'resolved_input'),
  ('private.rotate_provider_key_encryption_key',       '050-provider-keys.test.sql', 'rotate_provider_key_encryption_key'),
  ('private.start_waiting_executions',                 '080-executions.test.sql', 'runs in flight per plan'),
  ('private.step_cost_ceiling',                        '037-concurrency-invariants.test.sql', 'budget'),
  ('private.step_dependencies_finished',               '085-execution-engine.test.sql', 'claim_steps'),
  ('private.store_webhook_event',                      '130-webhook-store.test.sql', 'store_webhook_event'),
  ('private.sync_profile_email',                       '031-invitation-ownership.test.sql', 'update auth.users set email'),
  ('private.tenant_reserved_usd',                      '037-concurrency-invariants.test.sql', 'budget'),
  ('private.tenant_spend_this_month',                  '080-executions.test.sql', 'tenant_spend_this_month'),
  ('private.tenants_of_caller',                        '030-tenancy.test.sql', 'member of B sees tenant B and only tenant B'),
  ('private.validate_team_workflow',                   '071-sql-rules.test.sql', 'team_agent_limit'),
  ('private.webhook_inbox',                            '130-webhook-store.test.sql', 'webhook_inbox'),
  -- knowledge (150)
  ('private.check_agent_knowledge_bases',              '150-knowledge.test.sql', 'is not a knowledge base of this company'),
  ('private.enforce_document_status',                  '150-knowledge.test.sql', 'a document cannot go from pending to ready'),
  ('private.guard_knowledge_base_in_use',              '150-knowledge.test.sql', 'agents use this knowledge base'),
  ('private.prepare_document_version',                 '150-knowledge.test.sql', 'versions are numbered in order'),
  ('private.take_tenant_from_knowledge_base',          '150-knowledge.test.sql', 'a collection takes its company from its base'),
  ('public.record_knowledge_usage',                    '150-knowledge.test.sql', 'record_knowledge_usage'),
  ('public.replace_document_chunks',                   '150-knowledge.test.sql', 'replace_document_chunks'),
  -- knowledge embedding keys (154)
  ('private.check_knowledge_base_embedder',            '154-knowledge-embedding-keys.test.sql', 'an openai_compatible base needs a key'),
  ('private.decrypt_knowledge_base_key',               '154-knowledge-embedding-keys.test.sql', 'with the address it goes to'),
  ('private.knowledge_base_embedding_key',             '154-knowledge-embedding-keys.test.sql', 'is no longer the base'),
  ('private.knowledge_key_usable',                     '154-knowledge-embedding-keys.test.sql', 'a key whose owner left the company is no longer usable'),
  -- knowledge ingestion (151)
  ('private.can_write_document_object',                '151-knowledge-ingest.test.sql', 'a member uploads under the company'),
  ('private.claim_ingest_jobs',                        '151-knowledge-ingest.test.sql', 'claim_ingest_jobs'),
  ('private.fail_ingest_job',                          '151-knowledge-ingest.test.sql', 'fail_ingest_job'),
  ('private.finish_ingest_job',                        '151-knowledge-ingest.test.sql', 'finish_ingest_job'),
  ('private.held_ingest_job',                          '151-knowledge-ingest.test.sql', 'ingest_lease_lost'),
  ('private.kick_ingest',                              '151-knowledge-ingest.test.sql', 'kick_ingest'),
  ('private.kick_ingest_for_new_versions',             '151-knowledge-ingest.test.sql', 'wake the ingest function once'),
  ('private.renew_ingest_lease',                       '151-knowledge-ingest.test.sql', 'renew_ingest_lease'),
  ('private.rescue_stalled_ingest',                    '151-knowledge-ingest.test.sql', 'rescue_stalled_ingest'),
  ('private.record_step_citations',                    '152-knowledge-citations.test.sql', 'record_step_citations'),
  ('private.step_knowledge_bases',                     '152-knowledge-citations.test.sql', 'step_knowledge_bases'),
  ('public.accept_invitation',                         '031-invitation-ownership.test.sql', 'accept_invitation'),
  ('public.admin_get_tenant',                          '030-tenancy.test.sql', 'admin_get_tenant'),
  ('public.admin_list_tenants',                        '030-tenancy.test.sql', 'admin_list_tenants'),
  ('public.admin_set_tenant_status',                   '030-tenancy.test.sql', 'admin_set_tenant_status'),
  ('public.create_tenant',                             '030-tenancy.test.sql', 'create_tenant'),
  ('public.decline_invitation',                        '031-invitation-ownership.test.sql', 'decline_invitation'),
  ('public.decline_my_invitation',                     '200-invitation-answers.test.sql', 'decline_my_invitation'),
  ('public.set_company_budget',                        '202-company-budget.test.sql', 'set_company_budget'),
  ('private.notice_finished_projects',                '204-project-finished-notices.test.sql', 'notice_finished_projects'),
  ('private.notice_budget_80',                         '202-company-budget.test.sql', 'reaching 80 %'),
  ('private.notice_approval_requested',                '091-approval-notices.test.sql', 'approval_requested'),
  ('public.issue_invitation_token',                    '032-invitation-links.test.sql', 'issue_invitation_token'),
  ('public.list_my_invitations',                       '031-invitation-ownership.test.sql', 'list_my_invitations'),
  ('public.my_capabilities',                           '071-sql-rules.test.sql', 'my_capabilities'),
  ('public.read_invitation',                           '032-invitation-links.test.sql', 'read_invitation'),
  ('public.replay_webhook_event',                     '132-webhook-processing.test.sql', 'replay_webhook_event'),
  ('public.resolve_share_grantee',                     '045-share-lookups.test.sql', 'resolve_share_grantee'),
  ('public.set_provider_key',                          '050-provider-keys.test.sql', 'set_provider_key'),
  ('public.set_provider_key_sharing',                  '051-provider-key-binding-and-sharing.test.sql', 'set_provider_key_sharing'),
  ('public.share_grantee',                             '045-share-lookups.test.sql', 'share_grantee'),
  ('public.start_execution',                           '080-executions.test.sql', 'start_execution'),
  ('public.stop_execution',                            '080-executions.test.sql', 'stop_execution');
-- WhatsApp data: phones, inboxes, contacts, conversations, messages.
insert into covered (function_name, test_file, exercised_by) values
  -- Outbound delivery (#13, outbound).
  ('private.append_outbound_message',                  '110-outbound-append.test.sql', 'append_outbound_message'),
  ('private.claim_outbound_deliveries',              '111-outbound-delivery.test.sql', 'claim_outbound_deliveries'),
  ('private.record_outbound_part',                     '111-outbound-delivery.test.sql', 'record_outbound_part'),
  ('private.settle_outbound_delivery',                 '111-outbound-delivery.test.sql', 'settle_outbound_delivery'),
  ('private.reap_outbound_deliveries',                 '111-outbound-delivery.test.sql', 'delivery_interrupted'),
  ('private.rescue_outbound_deliveries',               '111-outbound-delivery.test.sql', 'rescue_outbound_deliveries'),
  ('private.retry_dead_letter',                        '111-outbound-delivery.test.sql', 'retry_dead_letter'),
  ('private.discard_dead_letter',                      '111-outbound-delivery.test.sql', 'discard_dead_letter'),
  ('private.queue_outbound_message',                 '112-outbound-people.test.sql', 'queue_outbound_message'),
  ('private.resolve_dead_letter',                      '112-outbound-people.test.sql', 'resolve_dead_letter'),
  ('public.reply_in_conversation',                     '112-outbound-people.test.sql', 'reply_in_conversation'),
  ('private.guard_message_template',                   '205-message-templates.test.sql', 'message_template_inbox_not_in_tenant'),
  ('public.reply_with_template',                       '206-template-replies.test.sql', 'reply_with_template'),
  ('public.dead_letters',                              '112-outbound-people.test.sql', 'public.dead_letters'),
  ('public.retry_dead_letter',                         '112-outbound-people.test.sql', 'public.retry_dead_letter'),
  ('public.discard_dead_letter',                       '112-outbound-people.test.sql', 'public.discard_dead_letter'),
  ('private.kick_outbound',                            '110-outbound-append.test.sql', '/outbound/run'),
  ('private.prune_delivery_history',                   '113-delivery-retention.test.sql', 'prune_delivery_history'),
  -- Notifications with fallback (#13, notifications).
  ('private.notify',                                   '125-notifications.test.sql', 'private.notify('),
  ('private.kick_notify',                              '125-notifications.test.sql', '/notify/run'),
  ('private.claim_notifications',                      '125-notifications.test.sql', 'claim_notifications'),
  ('private.record_notification_attempt',              '125-notifications.test.sql', 'record_notification_attempt'),
  ('private.reap_notifications',                       '125-notifications.test.sql', 'delivery_interrupted'),
  ('private.rescue_notifications',                     '125-notifications.test.sql', 'rescue_notifications'),
  ('private.notify_handoff_requested',                 '125-notifications.test.sql', 'hand_off_conversation'),
  ('private.notify_dead_letter',                       '125-notifications.test.sql', 'reap_outbound_deliveries'),
  ('public.notification_rules_of',                     '125-notifications.test.sql', 'notification_rules_of'),
  ('private.wake_deliveries_on_reactivation',         '124-suspended-company-deliveries.test.sql', 'wakes the outbound function'),
  ('private.apply_message_status',                     '103-message-ingest.test.sql', 'apply_message_status'),
  ('private.broadcast_conversation_change',            '106-messaging-broadcasts.test.sql', 'conversation_updated'),
  ('private.broadcast_message_status',                 '106-messaging-broadcasts.test.sql', 'message_status'),
  ('private.broadcast_new_messages',                   '106-messaging-broadcasts.test.sql', 'a bulk insert broadcasts each of its messages'),
  ('private.can_watch_messaging_topic',                '106-messaging-broadcasts.test.sql', 'receives nothing of the inbox'),
  ('private.can_watch_knowledge_topic',                '153-knowledge-broadcasts.test.sql', 'receives the base''''s topic'),
  ('private.broadcast_document_status',                '153-knowledge-broadcasts.test.sql', 'document_status'),
  ('private.guard_conversation_change',                '102-contacts-conversations.test.sql', 'conversation_already_open'),
  ('private.inbox_secret',                             '101-inboxes.test.sql', 'private.inbox_secret('),
  ('private.managed_inbox',                            '101-inboxes.test.sql', 'rotate_inbox_secret'),
  ('private.normalize_phone_column',                   '100-phone-numbers.test.sql', 'is kept with it'),
  ('private.record_webhook_message',                   '103-message-ingest.test.sql', 'record_webhook_message'),
  ('private.store_inbox_secret',                       '101-inboxes.test.sql', 'create_inbox'),
  ('public.create_inbox',                              '101-inboxes.test.sql', 'create_inbox'),
  ('public.inbox_secret_hints',                        '101-inboxes.test.sql', 'inbox_secret_hints'),
  ('public.rotate_inbox_secret',                       '101-inboxes.test.sql', 'rotate_inbox_secret'),
  -- responder (#13): who answers and when
  ('private.guard_responder_settings',                 '120-responder-settings.test.sql', 'responder_inbox_not_in_tenant'),
  ('private.responder_settings_for_inbox',             '120-responder-settings.test.sql', 'responder_settings_for_inbox'),
  ('private.conversation_transcript',                  '121-conversation-turns.test.sql', 'its variables carry the transcript with roles'),
  ('private.hand_off_conversation',                    '121-conversation-turns.test.sql', 'handoff_requested'),
  ('private.note_contact_messages',                    '121-conversation-turns.test.sql', 'note_contact_messages'),
  ('private.pause_bot_on_business_echo',               '133-business-echoes.test.sql', 'the conversation leaves the bot'),
  ('private.note_new_contact_messages',                '121-conversation-turns.test.sql', 'three messages in a row open one turn'),
  ('private.note_out_of_hours',                        '121-conversation-turns.test.sql', 'out_of_hours'),
  ('private.settle_turn_of_run',                       '121-conversation-turns.test.sql', 'a stopped run fails its turn'),
  ('private.start_due_turns',                          '121-conversation-turns.test.sql', 'start_due_turns'),
  ('private.start_turn',                               '121-conversation-turns.test.sql', 'the due turn starts one run'),
  ('private.step_conversation_transcript',             '122-turn-replies.test.sql', 'step_conversation_transcript'),
  ('private.end_turns_leaving_bot',                    '122-turn-replies.test.sql', 'taking over ends the turn'),
  -- replies (#13): contact opt-out
  ('private.apply_contact_opt_words',                  '115-contact-opt-out.test.sql', 'the word alone opts the contact out');

-- Analytics: the members' reads of the materialized views and the platform admin's refresh.
insert into covered (function_name, test_file, exercised_by) values
  ('public.analytics_agent_consumption',               '160-analytics-views.test.sql', 'analytics_agent_consumption'),
  ('public.analytics_agent_performance',               '160-analytics-views.test.sql', 'analytics_agent_performance'),
  ('public.analytics_freshness',                       '160-analytics-views.test.sql', 'analytics_freshness'),
  ('public.analytics_inbox_consumption',               '160-analytics-views.test.sql', 'analytics_inbox_consumption'),
  ('public.analytics_lead_funnel',                     '162-analytics-funnel-response-times.test.sql', 'analytics_lead_funnel'),
  ('public.analytics_refresh_now',                     '160-analytics-views.test.sql', 'analytics_refresh_now'),
  ('public.analytics_response_times',                  '162-analytics-funnel-response-times.test.sql', 'analytics_response_times'),
  ('public.analytics_team_performance',                '160-analytics-views.test.sql', 'analytics_team_performance'),
  ('private.drop_analyst_role',                        '161-analyst-logins.test.sql', 'an admin revokes: the role is gone'),
  ('public.create_analyst_login',                      '161-analyst-logins.test.sql', 'create_analyst_login'),
  -- projects and interviews (190, 192)
  ('private.guard_project',                            '190-projects.test.sql', 'project_inbox_not_in_tenant'),
  ('private.project_run_by_caller',                    '192-project-launch.test.sql', 'projects_run_by_inbox_managers'),
  ('private.interview_decided_by_caller',              '192-project-launch.test.sql', 'interview_not_found'),
  ('public.launch_project',                            '192-project-launch.test.sql', 'launch_project'),
  ('public.cancel_interview',                          '192-project-launch.test.sql', 'cancel_interview'),
  ('public.resend_interview_invitation',               '192-project-launch.test.sql', 'resend_interview_invitation'),
  ('private.open_interview_of_conversation',           '193-interview-conversations.test.sql', 'step_interview_context'),
  ('private.responder_settings_for_conversation',      '193-interview-conversations.test.sql', 'responder_settings_for_conversation'),
  ('private.turn_run_context',                         '193-interview-conversations.test.sql', 'variables -> ''interview'''),
  ('private.conversation_of_step',                     '193-interview-conversations.test.sql', 'record_interview_answer_for_step'),
  ('private.step_interview_context',                   '193-interview-conversations.test.sql', 'step_interview_context'),
  ('private.record_interview_answer_for_step',         '193-interview-conversations.test.sql', 'record_interview_answer_for_step'),
  ('private.interview_window_open',                    '193-interview-conversations.test.sql', 'outside_customer_window'),
  ('private.send_interview_invitations',               '193-interview-conversations.test.sql', 'send_interview_invitations'),
  ('private.remind_and_expire_interviews',             '194-interview-reminders.test.sql', 'remind_and_expire_interviews');

-- Leads → customers (#17, leads): stage moves, qualification requests, conversion.
insert into covered (function_name, test_file, exercised_by) values
  ('private.prepare_contact_stage_change',             '195-lead-stages.test.sql', 'stage_transition_invalid'),
  ('private.apply_contact_stage_change',               '195-lead-stages.test.sql', 'the approval qualifies the contact'),
  ('private.move_contact_stage',                       '195-lead-stages.test.sql', 'move_contact_stage'),
  ('public.set_contact_stage',                         '195-lead-stages.test.sql', 'set_contact_stage'),
  ('private.file_qualification_request',               '195-lead-stages.test.sql', 'qualification_request_pending'),
  ('public.request_qualification',                     '195-lead-stages.test.sql', 'public.request_qualification('),
  ('private.request_qualification_for_step',           '195-lead-stages.test.sql', 'request_qualification_for_step'),
  ('public.set_inbox_window_template',                '211-window-templates.test.sql', 'set_inbox_window_template'),
  ('private.send_whatsapp_for_step',                   '210-whatsapp-send-tool.test.sql', 'send_whatsapp_for_step'),
  ('public.decide_qualification_request',              '195-lead-stages.test.sql', 'decide_qualification_request'),
  ('public.convert_contact',                           '195-lead-stages.test.sql', 'convert_contact'),
  -- The admin console (#17, leads): the audited commands and the LGPD export and erasure.
  ('private.admin_command_tenant',                     '196-admin-commands.test.sql', 'admin_command_target_not_found'),
  ('private.export_contact_data',                      '196-admin-commands.test.sql', 'export_contact'),
  ('private.erase_contact_personal_data',              '196-admin-commands.test.sql', 'erase_contact'),
  ('public.run_admin_command',                         '196-admin-commands.test.sql', 'run_admin_command');

create temporary view security_definer_functions as
  select n.nspname || '.' || p.proname as function_name
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef and n.nspname in ('public', 'private');

select is(
  (select coalesce(array_agg(function_name order by function_name), '{}') from security_definer_functions
   where function_name not in (select function_name from covered)),
  '{}'::text[],
  'every security-definer function in public and private is listed with the test that exercises it'
);

select is(
  (select coalesce(array_agg(function_name order by function_name), '{}') from covered
   where function_name not in (select function_name from security_definer_functions)),
  '{}'::text[],
  'every listed function exists and is security definer'
);

select * from finish();
rollback;
