
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "admin_commands": {
                  Row: {
                    "actor_id": string,"actor_role": string,"arguments": NonNullable<Json>,"command": Database["public"]['Enums']["admin_command"],"created_at": string,"error": Json | null,"id": number,"reason": string | null,"result": Json | null,"status": string,"target_id": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "actor_id": string,"actor_role": string,"arguments"?: NonNullable<Json>,"command": Database["public"]['Enums']["admin_command"],"created_at"?: string,"error"?: Json | null,"id"?: never,"reason"?: string | null,"result"?: Json | null,"status": string,"target_id": string,"tenant_id": string
                  }
                  Update: {
                    "actor_id"?: string,"actor_role"?: string,"arguments"?: NonNullable<Json>,"command"?: Database["public"]['Enums']["admin_command"],"created_at"?: string,"error"?: Json | null,"id"?: never,"reason"?: string | null,"result"?: Json | null,"status"?: string,"target_id"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"agent_provider_key_services": {
                  Row: {
                    "preference": number,"provider": Database["public"]['Enums']["agent_provider"],"service": Database["public"]['Enums']["provider_key_service"]
                  }
                  ComputedFields: never
                  Insert: {
                    "preference": number,"provider": Database["public"]['Enums']["agent_provider"],"service": Database["public"]['Enums']["provider_key_service"]
                  }
                  Update: {
                    "preference"?: number,"provider"?: Database["public"]['Enums']["agent_provider"],"service"?: Database["public"]['Enums']["provider_key_service"]
                  }
                  Relationships: [
                    
                  ]
                },"agent_shares": {
                  Row: {
                    "agent_id": string,"created_at": string,"created_by": string | null,"grantee_tenant_id": string | null,"grantee_user_id": string | null,"id": string,"permission": Database["public"]['Enums']["share_permission"],"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id": string,"created_at"?: string,"created_by"?: string | null,"grantee_tenant_id"?: string | null,"grantee_user_id"?: string | null,"id"?: string,"permission"?: Database["public"]['Enums']["share_permission"],"tenant_id": string
                  }
                  Update: {
                    "agent_id"?: string,"created_at"?: string,"created_by"?: string | null,"grantee_tenant_id"?: string | null,"grantee_user_id"?: string | null,"id"?: string,"permission"?: Database["public"]['Enums']["share_permission"],"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "agent_shares_agent_id_fkey"
      columns: ["agent_id"]
isOneToOne: false
      referencedRelation: "agents"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "agent_shares_grantee_tenant_id_fkey"
      columns: ["grantee_tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "agent_shares_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"agent_versions": {
                  Row: {
                    "agent_id": string,"created_at": string,"created_by": string | null,"definition": NonNullable<Json>,"id": string,"tenant_id": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id": string,"created_at"?: string,"created_by"?: string | null,"definition": NonNullable<Json>,"id"?: string,"tenant_id": string,"version": number
                  }
                  Update: {
                    "agent_id"?: string,"created_at"?: string,"created_by"?: string | null,"definition"?: NonNullable<Json>,"id"?: string,"tenant_id"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "agent_versions_agent_id_fkey"
      columns: ["agent_id"]
isOneToOne: false
      referencedRelation: "agents"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "agent_versions_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"agents": {
                  Row: {
                    "config": NonNullable<Json>,"created_at": string,"created_by": string | null,"description": string,"id": string,"knowledge_base_ids": (string)[],"max_tokens": number,"model": string,"name": string,"provider": Database["public"]['Enums']["agent_provider"],"status": Database["public"]['Enums']["agent_status"],"system_prompt": string,"temperature": number,"tenant_id": string,"tools": (string)[],"type": Database["public"]['Enums']["agent_type"],"updated_at": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "config"?: NonNullable<Json>,"created_at"?: string,"created_by"?: string | null,"description"?: string,"id"?: string,"knowledge_base_ids"?: (string)[],"max_tokens"?: number,"model": string,"name": string,"provider"?: Database["public"]['Enums']["agent_provider"],"status"?: Database["public"]['Enums']["agent_status"],"system_prompt"?: string,"temperature"?: number,"tenant_id": string,"tools"?: (string)[],"type"?: Database["public"]['Enums']["agent_type"],"updated_at"?: string,"version"?: number
                  }
                  Update: {
                    "config"?: NonNullable<Json>,"created_at"?: string,"created_by"?: string | null,"description"?: string,"id"?: string,"knowledge_base_ids"?: (string)[],"max_tokens"?: number,"model"?: string,"name"?: string,"provider"?: Database["public"]['Enums']["agent_provider"],"status"?: Database["public"]['Enums']["agent_status"],"system_prompt"?: string,"temperature"?: number,"tenant_id"?: string,"tools"?: (string)[],"type"?: Database["public"]['Enums']["agent_type"],"updated_at"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "agents_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"analyst_logins": {
                  Row: {
                    "connection_limit": number,"created_at": string,"created_by": string | null,"role_name": string,"statement_timeout_ms": number,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "connection_limit": number,"created_at"?: string,"created_by"?: string | null,"role_name": string,"statement_timeout_ms": number,"tenant_id": string
                  }
                  Update: {
                    "connection_limit"?: number,"created_at"?: string,"created_by"?: string | null,"role_name"?: string,"statement_timeout_ms"?: number,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "analyst_logins_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"audit_log": {
                  Row: {
                    "action": string,"actor_id": string | null,"actor_role": string,"after": Json | null,"before": Json | null,"created_at": string,"id": number,"record_id": string | null,"table_name": string,"tenant_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "action": string,"actor_id"?: string | null,"actor_role": string,"after"?: Json | null,"before"?: Json | null,"created_at"?: string,"id"?: never,"record_id"?: string | null,"table_name": string,"tenant_id"?: string | null
                  }
                  Update: {
                    "action"?: string,"actor_id"?: string | null,"actor_role"?: string,"after"?: Json | null,"before"?: Json | null,"created_at"?: string,"id"?: never,"record_id"?: string | null,"table_name"?: string,"tenant_id"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"consumption_inbox_daily": {
                  Row: {
                    "conversations_started": number,"cost_usd": number,"day": string,"inbox_id": string,"input_tokens": number,"messages_in": number,"messages_out": number,"output_tokens": number,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "conversations_started"?: number,"cost_usd"?: number,"day": string,"inbox_id": string,"input_tokens"?: number,"messages_in"?: number,"messages_out"?: number,"output_tokens"?: number,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "conversations_started"?: number,"cost_usd"?: number,"day"?: string,"inbox_id"?: string,"input_tokens"?: number,"messages_in"?: number,"messages_out"?: number,"output_tokens"?: number,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "consumption_inbox_daily_inbox_id_fkey"
      columns: ["inbox_id"]
isOneToOne: false
      referencedRelation: "inboxes"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "consumption_inbox_daily_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"contact_stage_changes": {
                  Row: {
                    "actor_id": string | null,"actor_kind": Database["public"]['Enums']["stage_actor_kind"],"contact_id": string,"created_at": string,"evidence": NonNullable<Json>,"execution_id": string | null,"from_stage": Database["public"]['Enums']["lifecycle_stage"],"id": string,"reason": string | null,"tenant_id": string,"to_stage": Database["public"]['Enums']["lifecycle_stage"]
                  }
                  ComputedFields: never
                  Insert: {
                    "actor_id"?: string | null,"actor_kind": Database["public"]['Enums']["stage_actor_kind"],"contact_id": string,"created_at"?: string,"evidence"?: NonNullable<Json>,"execution_id"?: string | null,"from_stage": Database["public"]['Enums']["lifecycle_stage"],"id"?: string,"reason"?: string | null,"tenant_id": string,"to_stage": Database["public"]['Enums']["lifecycle_stage"]
                  }
                  Update: {
                    "actor_id"?: string | null,"actor_kind"?: Database["public"]['Enums']["stage_actor_kind"],"contact_id"?: string,"created_at"?: string,"evidence"?: NonNullable<Json>,"execution_id"?: string | null,"from_stage"?: Database["public"]['Enums']["lifecycle_stage"],"id"?: string,"reason"?: string | null,"tenant_id"?: string,"to_stage"?: Database["public"]['Enums']["lifecycle_stage"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "contact_stage_changes_contact_id_fkey"
      columns: ["contact_id"]
isOneToOne: false
      referencedRelation: "contacts"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "contact_stage_changes_execution_id_fkey"
      columns: ["execution_id"]
isOneToOne: false
      referencedRelation: "executions"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "contact_stage_changes_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"contacts": {
                  Row: {
                    "created_at": string,"email": string | null,"id": string,"lifecycle_stage": Database["public"]['Enums']["lifecycle_stage"],"metadata": NonNullable<Json>,"name": string | null,"opt_out_reason": string | null,"opted_out_at": string | null,"phone": string,"status": Database["public"]['Enums']["contact_status"],"tags": (string)[],"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"email"?: string | null,"id"?: string,"lifecycle_stage"?: Database["public"]['Enums']["lifecycle_stage"],"metadata"?: NonNullable<Json>,"name"?: string | null,"opt_out_reason"?: string | null,"opted_out_at"?: string | null,"phone": string,"status"?: Database["public"]['Enums']["contact_status"],"tags"?: (string)[],"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"email"?: string | null,"id"?: string,"lifecycle_stage"?: Database["public"]['Enums']["lifecycle_stage"],"metadata"?: NonNullable<Json>,"name"?: string | null,"opt_out_reason"?: string | null,"opted_out_at"?: string | null,"phone"?: string,"status"?: Database["public"]['Enums']["contact_status"],"tags"?: (string)[],"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "contacts_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"conversations": {
                  Row: {
                    "assignee": Database["public"]['Enums']["conversation_assignee"],"assignee_user_id": string | null,"closed_at": string | null,"contact_id": string,"created_at": string,"handed_to_person_at": string | null,"id": string,"inbox_id": string,"last_message_at": string | null,"last_message_index": number,"status": Database["public"]['Enums']["conversation_status"],"tenant_id": string,"unread_count": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "assignee"?: Database["public"]['Enums']["conversation_assignee"],"assignee_user_id"?: string | null,"closed_at"?: string | null,"contact_id": string,"created_at"?: string,"handed_to_person_at"?: string | null,"id"?: string,"inbox_id": string,"last_message_at"?: string | null,"last_message_index"?: number,"status"?: Database["public"]['Enums']["conversation_status"],"tenant_id": string,"unread_count"?: number,"updated_at"?: string
                  }
                  Update: {
                    "assignee"?: Database["public"]['Enums']["conversation_assignee"],"assignee_user_id"?: string | null,"closed_at"?: string | null,"contact_id"?: string,"created_at"?: string,"handed_to_person_at"?: string | null,"id"?: string,"inbox_id"?: string,"last_message_at"?: string | null,"last_message_index"?: number,"status"?: Database["public"]['Enums']["conversation_status"],"tenant_id"?: string,"unread_count"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "conversations_contact_id_fkey"
      columns: ["contact_id"]
isOneToOne: false
      referencedRelation: "contacts"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "conversations_inbox_id_fkey"
      columns: ["inbox_id"]
isOneToOne: false
      referencedRelation: "inboxes"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "conversations_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"customers": {
                  Row: {
                    "contact_id": string,"converted_by": string | null,"created_at": string,"id": string,"metadata": NonNullable<Json>,"notes": string | null,"qualification_request_id": string | null,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "contact_id": string,"converted_by"?: string | null,"created_at"?: string,"id"?: string,"metadata"?: NonNullable<Json>,"notes"?: string | null,"qualification_request_id"?: string | null,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "contact_id"?: string,"converted_by"?: string | null,"created_at"?: string,"id"?: string,"metadata"?: NonNullable<Json>,"notes"?: string | null,"qualification_request_id"?: string | null,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "customers_contact_id_fkey"
      columns: ["contact_id"]
isOneToOne: true
      referencedRelation: "contacts"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "customers_qualification_request_id_fkey"
      columns: ["qualification_request_id"]
isOneToOne: false
      referencedRelation: "qualification_requests"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "customers_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"document_chunks": {
                  Row: {
                    "chunk_index": number,"collection_id": string | null,"content": string,"document_id": string,"embedder": Database["public"]['Enums']["knowledge_embedder"],"embedding": string,"fts": unknown,"heading_path": (string)[],"id": string,"knowledge_base_id": string,"metadata": NonNullable<Json>,"page": number | null,"tenant_id": string,"text_search_config": unknown,"token_count": number,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "chunk_index": number,"collection_id"?: string | null,"content": string,"document_id": string,"embedder": Database["public"]['Enums']["knowledge_embedder"],"embedding": string,"fts"?: never,"heading_path"?: (string)[],"id"?: string,"knowledge_base_id": string,"metadata"?: NonNullable<Json>,"page"?: number | null,"tenant_id": string,"text_search_config": unknown,"token_count": number,"version": number
                  }
                  Update: {
                    "chunk_index"?: number,"collection_id"?: string | null,"content"?: string,"document_id"?: string,"embedder"?: Database["public"]['Enums']["knowledge_embedder"],"embedding"?: string,"fts"?: never,"heading_path"?: (string)[],"id"?: string,"knowledge_base_id"?: string,"metadata"?: NonNullable<Json>,"page"?: number | null,"tenant_id"?: string,"text_search_config"?: unknown,"token_count"?: number,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "document_chunks_document_id_fkey"
      columns: ["document_id"]
isOneToOne: false
      referencedRelation: "documents"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "document_chunks_knowledge_base_id_tenant_id_fkey"
      columns: ["knowledge_base_id","tenant_id"]
isOneToOne: false
      referencedRelation: "knowledge_bases"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"document_usage_stats": {
                  Row: {
                    "agent_id": string,"chunk_id": string,"first_used_at": string,"last_used_at": string,"tenant_id": string,"use_count": number
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id": string,"chunk_id": string,"first_used_at"?: string,"last_used_at"?: string,"tenant_id": string,"use_count"?: number
                  }
                  Update: {
                    "agent_id"?: string,"chunk_id"?: string,"first_used_at"?: string,"last_used_at"?: string,"tenant_id"?: string,"use_count"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "document_usage_stats_agent_id_fkey"
      columns: ["agent_id"]
isOneToOne: false
      referencedRelation: "agents"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "document_usage_stats_chunk_id_fkey"
      columns: ["chunk_id"]
isOneToOne: false
      referencedRelation: "document_chunks"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "document_usage_stats_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"document_versions": {
                  Row: {
                    "change": Database["public"]['Enums']["document_change"],"content_hash": string | null,"created_at": string,"created_by": string | null,"document_id": string,"note": string,"pasted_text": string | null,"size_bytes": number | null,"storage_path": string | null,"tenant_id": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "change"?: Database["public"]['Enums']["document_change"],"content_hash"?: string | null,"created_at"?: string,"created_by"?: string | null,"document_id": string,"note"?: string,"pasted_text"?: string | null,"size_bytes"?: number | null,"storage_path"?: string | null,"tenant_id": string,"version": number
                  }
                  Update: {
                    "change"?: Database["public"]['Enums']["document_change"],"content_hash"?: string | null,"created_at"?: string,"created_by"?: string | null,"document_id"?: string,"note"?: string,"pasted_text"?: string | null,"size_bytes"?: number | null,"storage_path"?: string | null,"tenant_id"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "document_versions_document_id_fkey"
      columns: ["document_id"]
isOneToOne: false
      referencedRelation: "documents"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "document_versions_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"documents": {
                  Row: {
                    "chunk_count": number,"collection_id": string | null,"content_hash": string | null,"created_at": string,"created_by": string | null,"current_version": number | null,"failure_code": string | null,"failure_reason": string | null,"file_name": string | null,"id": string,"ingest_attempts": number,"ingest_lease_until": string | null,"ingest_not_before": string | null,"ingest_worker": string | null,"knowledge_base_id": string,"latest_version": number,"mime_type": string | null,"size_bytes": number | null,"source": Database["public"]['Enums']["document_source"],"source_url": string | null,"status": Database["public"]['Enums']["document_status"],"status_changed_at": string,"tenant_id": string,"title": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "chunk_count"?: number,"collection_id"?: string | null,"content_hash"?: string | null,"created_at"?: string,"created_by"?: string | null,"current_version"?: number | null,"failure_code"?: string | null,"failure_reason"?: string | null,"file_name"?: string | null,"id"?: string,"ingest_attempts"?: number,"ingest_lease_until"?: string | null,"ingest_not_before"?: string | null,"ingest_worker"?: string | null,"knowledge_base_id": string,"latest_version"?: number,"mime_type"?: string | null,"size_bytes"?: number | null,"source": Database["public"]['Enums']["document_source"],"source_url"?: string | null,"status"?: Database["public"]['Enums']["document_status"],"status_changed_at"?: string,"tenant_id": string,"title": string,"updated_at"?: string
                  }
                  Update: {
                    "chunk_count"?: number,"collection_id"?: string | null,"content_hash"?: string | null,"created_at"?: string,"created_by"?: string | null,"current_version"?: number | null,"failure_code"?: string | null,"failure_reason"?: string | null,"file_name"?: string | null,"id"?: string,"ingest_attempts"?: number,"ingest_lease_until"?: string | null,"ingest_not_before"?: string | null,"ingest_worker"?: string | null,"knowledge_base_id"?: string,"latest_version"?: number,"mime_type"?: string | null,"size_bytes"?: number | null,"source"?: Database["public"]['Enums']["document_source"],"source_url"?: string | null,"status"?: Database["public"]['Enums']["document_status"],"status_changed_at"?: string,"tenant_id"?: string,"title"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "documents_collection_id_knowledge_base_id_fkey"
      columns: ["collection_id","knowledge_base_id"]
isOneToOne: false
      referencedRelation: "knowledge_collections"
      referencedColumns: ["id","knowledge_base_id"]
    },{
      foreignKeyName: "documents_knowledge_base_id_tenant_id_fkey"
      columns: ["knowledge_base_id","tenant_id"]
isOneToOne: false
      referencedRelation: "knowledge_bases"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"execution_events": {
                  Row: {
                    "created_at": string,"event": string,"execution_id": string,"payload": NonNullable<Json>,"seq": number,"step_id": string | null,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"event": string,"execution_id": string,"payload"?: NonNullable<Json>,"seq": number,"step_id"?: string | null,"tenant_id": string
                  }
                  Update: {
                    "created_at"?: string,"event"?: string,"execution_id"?: string,"payload"?: NonNullable<Json>,"seq"?: number,"step_id"?: string | null,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "execution_events_execution_id_fkey"
      columns: ["execution_id"]
isOneToOne: false
      referencedRelation: "executions"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "execution_events_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"execution_steps": {
                  Row: {
                    "agent_definition": NonNullable<Json>,"agent_id": string | null,"agent_version": number,"approval_decided_at": string | null,"approval_decided_by": string | null,"approval_decision": string | null,"approval_due_at": string | null,"approval_reason": string | null,"attempt_count": number,"citations": NonNullable<Json>,"conditions": NonNullable<Json>,"cost_usd": number,"created_at": string,"error_message": string | null,"execution_id": string,"finished_at": string | null,"id": string,"input_spec": NonNullable<Json>,"input_tokens": number,"latency_ms": number | null,"lease_expires_at": string | null,"lease_owner": string | null,"max_attempts": number,"next_attempt_at": string | null,"output": string | null,"output_tokens": number,"overrides": NonNullable<Json>,"position": number,"proposed_output": string | null,"resolved_input": string | null,"role": Database["public"]['Enums']["team_agent_role"],"skip_reason": string | null,"started_at": string | null,"status": Database["public"]['Enums']["step_status"],"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_definition": NonNullable<Json>,"agent_id"?: string | null,"agent_version": number,"approval_decided_at"?: string | null,"approval_decided_by"?: string | null,"approval_decision"?: string | null,"approval_due_at"?: string | null,"approval_reason"?: string | null,"attempt_count"?: number,"citations"?: NonNullable<Json>,"conditions": NonNullable<Json>,"cost_usd"?: number,"created_at"?: string,"error_message"?: string | null,"execution_id": string,"finished_at"?: string | null,"id"?: string,"input_spec": NonNullable<Json>,"input_tokens"?: number,"latency_ms"?: number | null,"lease_expires_at"?: string | null,"lease_owner"?: string | null,"max_attempts"?: number,"next_attempt_at"?: string | null,"output"?: string | null,"output_tokens"?: number,"overrides": NonNullable<Json>,"position": number,"proposed_output"?: string | null,"resolved_input"?: string | null,"role": Database["public"]['Enums']["team_agent_role"],"skip_reason"?: string | null,"started_at"?: string | null,"status"?: Database["public"]['Enums']["step_status"],"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "agent_definition"?: NonNullable<Json>,"agent_id"?: string | null,"agent_version"?: number,"approval_decided_at"?: string | null,"approval_decided_by"?: string | null,"approval_decision"?: string | null,"approval_due_at"?: string | null,"approval_reason"?: string | null,"attempt_count"?: number,"citations"?: NonNullable<Json>,"conditions"?: NonNullable<Json>,"cost_usd"?: number,"created_at"?: string,"error_message"?: string | null,"execution_id"?: string,"finished_at"?: string | null,"id"?: string,"input_spec"?: NonNullable<Json>,"input_tokens"?: number,"latency_ms"?: number | null,"lease_expires_at"?: string | null,"lease_owner"?: string | null,"max_attempts"?: number,"next_attempt_at"?: string | null,"output"?: string | null,"output_tokens"?: number,"overrides"?: NonNullable<Json>,"position"?: number,"proposed_output"?: string | null,"resolved_input"?: string | null,"role"?: Database["public"]['Enums']["team_agent_role"],"skip_reason"?: string | null,"started_at"?: string | null,"status"?: Database["public"]['Enums']["step_status"],"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "execution_steps_agent_id_fkey"
      columns: ["agent_id"]
isOneToOne: false
      referencedRelation: "agents"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "execution_steps_execution_id_fkey"
      columns: ["execution_id"]
isOneToOne: false
      referencedRelation: "executions"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "execution_steps_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"executions": {
                  Row: {
                    "approval_waiting_since": string | null,"cancel_requested_at": string | null,"cost_usd": number,"created_at": string,"created_by": string | null,"deadline_at": string | null,"error_message": string | null,"final_result": Json | null,"finished_at": string | null,"finished_steps": number,"id": string,"initial_prompt": string,"input_tokens": number,"last_event_seq": number,"output_tokens": number,"shared_context": NonNullable<Json>,"started_at": string | null,"status": Database["public"]['Enums']["execution_status"],"team_config": NonNullable<Json>,"team_id": string | null,"tenant_id": string,"total_steps": number,"updated_at": string,"variables": NonNullable<Json>,"workflow_type": Database["public"]['Enums']["workflow_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "approval_waiting_since"?: string | null,"cancel_requested_at"?: string | null,"cost_usd"?: number,"created_at"?: string,"created_by"?: string | null,"deadline_at"?: string | null,"error_message"?: string | null,"final_result"?: Json | null,"finished_at"?: string | null,"finished_steps"?: number,"id"?: string,"initial_prompt": string,"input_tokens"?: number,"last_event_seq"?: number,"output_tokens"?: number,"shared_context"?: NonNullable<Json>,"started_at"?: string | null,"status"?: Database["public"]['Enums']["execution_status"],"team_config": NonNullable<Json>,"team_id"?: string | null,"tenant_id": string,"total_steps"?: number,"updated_at"?: string,"variables"?: NonNullable<Json>,"workflow_type": Database["public"]['Enums']["workflow_type"]
                  }
                  Update: {
                    "approval_waiting_since"?: string | null,"cancel_requested_at"?: string | null,"cost_usd"?: number,"created_at"?: string,"created_by"?: string | null,"deadline_at"?: string | null,"error_message"?: string | null,"final_result"?: Json | null,"finished_at"?: string | null,"finished_steps"?: number,"id"?: string,"initial_prompt"?: string,"input_tokens"?: number,"last_event_seq"?: number,"output_tokens"?: number,"shared_context"?: NonNullable<Json>,"started_at"?: string | null,"status"?: Database["public"]['Enums']["execution_status"],"team_config"?: NonNullable<Json>,"team_id"?: string | null,"tenant_id"?: string,"total_steps"?: number,"updated_at"?: string,"variables"?: NonNullable<Json>,"workflow_type"?: Database["public"]['Enums']["workflow_type"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "executions_team_id_fkey"
      columns: ["team_id"]
isOneToOne: false
      referencedRelation: "teams"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "executions_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"inboxes": {
                  Row: {
                    "created_at": string,"created_by": string | null,"display_name": string,"evolution_base_url": string | null,"evolution_instance_name": string | null,"id": string,"meta_phone_number_id": string | null,"meta_waba_id": string | null,"phone_number": string | null,"provider": Database["public"]['Enums']["inbox_provider"],"status": Database["public"]['Enums']["inbox_status"],"tenant_id": string,"updated_at": string,"window_template": Json | null,"zapi_instance_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"display_name": string,"evolution_base_url"?: string | null,"evolution_instance_name"?: string | null,"id"?: string,"meta_phone_number_id"?: string | null,"meta_waba_id"?: string | null,"phone_number"?: string | null,"provider": Database["public"]['Enums']["inbox_provider"],"status"?: Database["public"]['Enums']["inbox_status"],"tenant_id": string,"updated_at"?: string,"window_template"?: Json | null,"zapi_instance_id"?: string | null
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"display_name"?: string,"evolution_base_url"?: string | null,"evolution_instance_name"?: string | null,"id"?: string,"meta_phone_number_id"?: string | null,"meta_waba_id"?: string | null,"phone_number"?: string | null,"provider"?: Database["public"]['Enums']["inbox_provider"],"status"?: Database["public"]['Enums']["inbox_status"],"tenant_id"?: string,"updated_at"?: string,"window_template"?: Json | null,"zapi_instance_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "inboxes_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"interviews": {
                  Row: {
                    "answers": NonNullable<Json>,"cancel_reason": string | null,"completed_at": string | null,"contact_id": string,"conversation_id": string | null,"created_at": string,"ended_at": string | null,"id": string,"invited_at": string | null,"metadata": NonNullable<Json>,"project_id": string,"reminded_at": string | null,"sentiment": string | null,"started_at": string | null,"status": Database["public"]['Enums']["interview_status"],"summary": string | null,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "answers"?: NonNullable<Json>,"cancel_reason"?: string | null,"completed_at"?: string | null,"contact_id": string,"conversation_id"?: string | null,"created_at"?: string,"ended_at"?: string | null,"id"?: string,"invited_at"?: string | null,"metadata"?: NonNullable<Json>,"project_id": string,"reminded_at"?: string | null,"sentiment"?: string | null,"started_at"?: string | null,"status"?: Database["public"]['Enums']["interview_status"],"summary"?: string | null,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "answers"?: NonNullable<Json>,"cancel_reason"?: string | null,"completed_at"?: string | null,"contact_id"?: string,"conversation_id"?: string | null,"created_at"?: string,"ended_at"?: string | null,"id"?: string,"invited_at"?: string | null,"metadata"?: NonNullable<Json>,"project_id"?: string,"reminded_at"?: string | null,"sentiment"?: string | null,"started_at"?: string | null,"status"?: Database["public"]['Enums']["interview_status"],"summary"?: string | null,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "interviews_contact_id_fkey"
      columns: ["contact_id"]
isOneToOne: false
      referencedRelation: "contacts"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "interviews_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "interviews_project_in_tenant"
      columns: ["project_id","tenant_id"]
isOneToOne: false
      referencedRelation: "projects"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "interviews_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"invitations": {
                  Row: {
                    "accepted_at": string | null,"accepted_by": string | null,"created_at": string,"declined_at": string | null,"email": string,"expires_at": string,"id": string,"invited_by": string | null,"role": Database["public"]['Enums']["member_role"],"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"declined_at"?: string | null,"email": string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"role"?: Database["public"]['Enums']["member_role"],"tenant_id": string
                  }
                  Update: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"declined_at"?: string | null,"email"?: string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"role"?: Database["public"]['Enums']["member_role"],"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "invitations_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"knowledge_bases": {
                  Row: {
                    "chunk_overlap": number,"chunk_size": number,"created_at": string,"created_by": string | null,"description": string,"embedder": Database["public"]['Enums']["knowledge_embedder"],"embedding_dimension": number,"embedding_key_id": string | null,"embedding_model": string,"id": string,"language": Database["public"]['Enums']["knowledge_language"],"name": string,"split_by_headings": boolean,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "chunk_overlap"?: number,"chunk_size"?: number,"created_at"?: string,"created_by"?: string | null,"description"?: string,"embedder"?: Database["public"]['Enums']["knowledge_embedder"],"embedding_dimension"?: number,"embedding_key_id"?: string | null,"embedding_model"?: string,"id"?: string,"language"?: Database["public"]['Enums']["knowledge_language"],"name": string,"split_by_headings"?: boolean,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "chunk_overlap"?: number,"chunk_size"?: number,"created_at"?: string,"created_by"?: string | null,"description"?: string,"embedder"?: Database["public"]['Enums']["knowledge_embedder"],"embedding_dimension"?: number,"embedding_key_id"?: string | null,"embedding_model"?: string,"id"?: string,"language"?: Database["public"]['Enums']["knowledge_language"],"name"?: string,"split_by_headings"?: boolean,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "knowledge_bases_embedding_key_id_fkey"
      columns: ["embedding_key_id"]
isOneToOne: false
      referencedRelation: "provider_keys"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "knowledge_bases_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"knowledge_collections": {
                  Row: {
                    "created_at": string,"created_by": string | null,"description": string,"id": string,"knowledge_base_id": string,"name": string,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string,"id"?: string,"knowledge_base_id": string,"name": string,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string,"id"?: string,"knowledge_base_id"?: string,"name"?: string,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "knowledge_collections_knowledge_base_id_tenant_id_fkey"
      columns: ["knowledge_base_id","tenant_id"]
isOneToOne: false
      referencedRelation: "knowledge_bases"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"mcp_calls": {
                  Row: {
                    "created_at": string,"duration_ms": number,"id": number,"kind": string,"name": string,"outcome": string,"row_count": number | null,"tenant_id": string,"token_id": string | null,"user_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"duration_ms": number,"id"?: never,"kind"?: string,"name": string,"outcome": string,"row_count"?: number | null,"tenant_id": string,"token_id"?: string | null,"user_id"?: string | null
                  }
                  Update: {
                    "created_at"?: string,"duration_ms"?: number,"id"?: never,"kind"?: string,"name"?: string,"outcome"?: string,"row_count"?: number | null,"tenant_id"?: string,"token_id"?: string | null,"user_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "mcp_calls_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "mcp_calls_token_id_fkey"
      columns: ["token_id"]
isOneToOne: false
      referencedRelation: "mcp_tokens"
      referencedColumns: ["id"]
    }
                  ]
                },"mcp_tokens": {
                  Row: {
                    "created_at": string,"created_by": string,"expires_at": string | null,"id": string,"last_used_at": string | null,"name": string,"revoked_at": string | null,"scope": string,"tenant_id": string,"token_hash": string,"token_prefix": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by": string,"expires_at"?: string | null,"id"?: string,"last_used_at"?: string | null,"name": string,"revoked_at"?: string | null,"scope"?: string,"tenant_id": string,"token_hash": string,"token_prefix": string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string,"expires_at"?: string | null,"id"?: string,"last_used_at"?: string | null,"name"?: string,"revoked_at"?: string | null,"scope"?: string,"tenant_id"?: string,"token_hash"?: string,"token_prefix"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "mcp_tokens_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"memberships": {
                  Row: {
                    "created_at": string,"id": string,"role": Database["public"]['Enums']["member_role"],"tenant_id": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: string,"role"?: Database["public"]['Enums']["member_role"],"tenant_id": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"id"?: string,"role"?: Database["public"]['Enums']["member_role"],"tenant_id"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "memberships_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"message_templates": {
                  Row: {
                    "body_parameter_count": number,"body_text": string | null,"category": string,"components": NonNullable<Json>,"created_at": string,"id": string,"inbox_id": string,"language": string,"name": string,"parameters_beyond_body": (string)[],"parameters_unsendable": (string)[],"status": Database["public"]['Enums']["message_template_status"],"synced_at": string,"tenant_id": string,"updated_at": string,"values_to_give": NonNullable<Json>
                  }
                  ComputedFields: never
                  Insert: {
                    "body_parameter_count"?: never,"body_text"?: string | null,"category": string,"components"?: NonNullable<Json>,"created_at"?: string,"id"?: string,"inbox_id": string,"language": string,"name": string,"parameters_beyond_body"?: never,"parameters_unsendable"?: never,"status": Database["public"]['Enums']["message_template_status"],"synced_at"?: string,"tenant_id": string,"updated_at"?: string,"values_to_give"?: never
                  }
                  Update: {
                    "body_parameter_count"?: never,"body_text"?: string | null,"category"?: string,"components"?: NonNullable<Json>,"created_at"?: string,"id"?: string,"inbox_id"?: string,"language"?: string,"name"?: string,"parameters_beyond_body"?: never,"parameters_unsendable"?: never,"status"?: Database["public"]['Enums']["message_template_status"],"synced_at"?: string,"tenant_id"?: string,"updated_at"?: string,"values_to_give"?: never
                  }
                  Relationships: [
                    {
      foreignKeyName: "message_templates_inbox_id_fkey"
      columns: ["inbox_id"]
isOneToOne: false
      referencedRelation: "inboxes"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "message_templates_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"messages": {
                  Row: {
                    "body": string | null,"channel": Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd": number | null,"created_at": string,"direction": Database["public"]['Enums']["message_direction"],"error": Json | null,"execution_id": string | null,"id": string,"inbox_id": string,"input_tokens": number | null,"media": Json | null,"message_index": number,"metadata": NonNullable<Json>,"output_tokens": number | null,"provider_message_id": string | null,"role": Database["public"]['Enums']["message_role"],"sent_at": string | null,"sent_by": string | null,"status": Database["public"]['Enums']["message_status"],"status_at": string | null,"tenant_id": string,"type": Database["public"]['Enums']["message_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd"?: number | null,"created_at"?: string,"direction": Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id": string,"input_tokens"?: number | null,"media"?: Json | null,"message_index": number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role": Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status": Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id": string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Update: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id"?: string,"conversation_id"?: string,"cost_usd"?: number | null,"created_at"?: string,"direction"?: Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id"?: string,"input_tokens"?: number | null,"media"?: Json | null,"message_index"?: number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role"?: Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status"?: Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id"?: string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "messages_conversation_id_fkey"
      columns: ["conversation_id","tenant_id","inbox_id","contact_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id","tenant_id","inbox_id","contact_id"]
    },{
      foreignKeyName: "messages_execution_id_fkey"
      columns: ["execution_id"]
isOneToOne: false
      referencedRelation: "executions"
      referencedColumns: ["id"]
    }
                  ]
                },"messages_2026_12": {
                  Row: {
                    "body": string | null,"channel": Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd": number | null,"created_at": string,"direction": Database["public"]['Enums']["message_direction"],"error": Json | null,"execution_id": string | null,"id": string,"inbox_id": string,"input_tokens": number | null,"media": Json | null,"message_index": number,"metadata": NonNullable<Json>,"output_tokens": number | null,"provider_message_id": string | null,"role": Database["public"]['Enums']["message_role"],"sent_at": string | null,"sent_by": string | null,"status": Database["public"]['Enums']["message_status"],"status_at": string | null,"tenant_id": string,"type": Database["public"]['Enums']["message_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd"?: number | null,"created_at"?: string,"direction": Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id": string,"input_tokens"?: number | null,"media"?: Json | null,"message_index": number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role": Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status": Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id": string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Update: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id"?: string,"conversation_id"?: string,"cost_usd"?: number | null,"created_at"?: string,"direction"?: Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id"?: string,"input_tokens"?: number | null,"media"?: Json | null,"message_index"?: number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role"?: Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status"?: Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id"?: string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Relationships: [
                    
                  ]
                },"messages_2027_01": {
                  Row: {
                    "body": string | null,"channel": Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd": number | null,"created_at": string,"direction": Database["public"]['Enums']["message_direction"],"error": Json | null,"execution_id": string | null,"id": string,"inbox_id": string,"input_tokens": number | null,"media": Json | null,"message_index": number,"metadata": NonNullable<Json>,"output_tokens": number | null,"provider_message_id": string | null,"role": Database["public"]['Enums']["message_role"],"sent_at": string | null,"sent_by": string | null,"status": Database["public"]['Enums']["message_status"],"status_at": string | null,"tenant_id": string,"type": Database["public"]['Enums']["message_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd"?: number | null,"created_at"?: string,"direction": Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id": string,"input_tokens"?: number | null,"media"?: Json | null,"message_index": number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role": Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status": Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id": string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Update: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id"?: string,"conversation_id"?: string,"cost_usd"?: number | null,"created_at"?: string,"direction"?: Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id"?: string,"input_tokens"?: number | null,"media"?: Json | null,"message_index"?: number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role"?: Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status"?: Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id"?: string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Relationships: [
                    
                  ]
                },"messages_2027_02": {
                  Row: {
                    "body": string | null,"channel": Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd": number | null,"created_at": string,"direction": Database["public"]['Enums']["message_direction"],"error": Json | null,"execution_id": string | null,"id": string,"inbox_id": string,"input_tokens": number | null,"media": Json | null,"message_index": number,"metadata": NonNullable<Json>,"output_tokens": number | null,"provider_message_id": string | null,"role": Database["public"]['Enums']["message_role"],"sent_at": string | null,"sent_by": string | null,"status": Database["public"]['Enums']["message_status"],"status_at": string | null,"tenant_id": string,"type": Database["public"]['Enums']["message_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd"?: number | null,"created_at"?: string,"direction": Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id": string,"input_tokens"?: number | null,"media"?: Json | null,"message_index": number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role": Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status": Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id": string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Update: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id"?: string,"conversation_id"?: string,"cost_usd"?: number | null,"created_at"?: string,"direction"?: Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id"?: string,"input_tokens"?: number | null,"media"?: Json | null,"message_index"?: number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role"?: Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status"?: Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id"?: string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Relationships: [
                    
                  ]
                },"messages_2027_03": {
                  Row: {
                    "body": string | null,"channel": Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd": number | null,"created_at": string,"direction": Database["public"]['Enums']["message_direction"],"error": Json | null,"execution_id": string | null,"id": string,"inbox_id": string,"input_tokens": number | null,"media": Json | null,"message_index": number,"metadata": NonNullable<Json>,"output_tokens": number | null,"provider_message_id": string | null,"role": Database["public"]['Enums']["message_role"],"sent_at": string | null,"sent_by": string | null,"status": Database["public"]['Enums']["message_status"],"status_at": string | null,"tenant_id": string,"type": Database["public"]['Enums']["message_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd"?: number | null,"created_at"?: string,"direction": Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id": string,"input_tokens"?: number | null,"media"?: Json | null,"message_index": number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role": Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status": Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id": string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Update: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id"?: string,"conversation_id"?: string,"cost_usd"?: number | null,"created_at"?: string,"direction"?: Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id"?: string,"input_tokens"?: number | null,"media"?: Json | null,"message_index"?: number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role"?: Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status"?: Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id"?: string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Relationships: [
                    
                  ]
                },"messages_default": {
                  Row: {
                    "body": string | null,"channel": Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd": number | null,"created_at": string,"direction": Database["public"]['Enums']["message_direction"],"error": Json | null,"execution_id": string | null,"id": string,"inbox_id": string,"input_tokens": number | null,"media": Json | null,"message_index": number,"metadata": NonNullable<Json>,"output_tokens": number | null,"provider_message_id": string | null,"role": Database["public"]['Enums']["message_role"],"sent_at": string | null,"sent_by": string | null,"status": Database["public"]['Enums']["message_status"],"status_at": string | null,"tenant_id": string,"type": Database["public"]['Enums']["message_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id": string,"conversation_id": string,"cost_usd"?: number | null,"created_at"?: string,"direction": Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id": string,"input_tokens"?: number | null,"media"?: Json | null,"message_index": number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role": Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status": Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id": string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Update: {
                    "body"?: string | null,"channel"?: Database["public"]['Enums']["message_channel"],"contact_id"?: string,"conversation_id"?: string,"cost_usd"?: number | null,"created_at"?: string,"direction"?: Database["public"]['Enums']["message_direction"],"error"?: Json | null,"execution_id"?: string | null,"id"?: string,"inbox_id"?: string,"input_tokens"?: number | null,"media"?: Json | null,"message_index"?: number,"metadata"?: NonNullable<Json>,"output_tokens"?: number | null,"provider_message_id"?: string | null,"role"?: Database["public"]['Enums']["message_role"],"sent_at"?: string | null,"sent_by"?: string | null,"status"?: Database["public"]['Enums']["message_status"],"status_at"?: string | null,"tenant_id"?: string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Relationships: [
                    
                  ]
                },"model_prices": {
                  Row: {
                    "created_at": string,"effective_from": string,"effective_to": string | null,"id": string,"input_usd_per_million": number,"model": string,"output_usd_per_million": number,"provider": Database["public"]['Enums']["agent_provider"]
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"effective_from": string,"effective_to"?: string | null,"id"?: string,"input_usd_per_million": number,"model": string,"output_usd_per_million": number,"provider": Database["public"]['Enums']["agent_provider"]
                  }
                  Update: {
                    "created_at"?: string,"effective_from"?: string,"effective_to"?: string | null,"id"?: string,"input_usd_per_million"?: number,"model"?: string,"output_usd_per_million"?: number,"provider"?: Database["public"]['Enums']["agent_provider"]
                  }
                  Relationships: [
                    
                  ]
                },"notification_channel_preferences": {
                  Row: {
                    "channel": Database["public"]['Enums']["notification_channel"],"enabled": boolean,"tenant_id": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "channel": Database["public"]['Enums']["notification_channel"],"enabled": boolean,"tenant_id": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "channel"?: Database["public"]['Enums']["notification_channel"],"enabled"?: boolean,"tenant_id"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "notification_channel_preferences_membership"
      columns: ["tenant_id","user_id"]
isOneToOne: false
      referencedRelation: "memberships"
      referencedColumns: ["tenant_id","user_id"]
    }
                  ]
                },"notification_contacts": {
                  Row: {
                    "created_at": string,"phone": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"phone": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"phone"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"notification_preferences": {
                  Row: {
                    "enabled": boolean,"event": Database["public"]['Enums']["notification_event"],"tenant_id": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "enabled": boolean,"event": Database["public"]['Enums']["notification_event"],"tenant_id": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "enabled"?: boolean,"event"?: Database["public"]['Enums']["notification_event"],"tenant_id"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "notification_preferences_membership"
      columns: ["tenant_id","user_id"]
isOneToOne: false
      referencedRelation: "memberships"
      referencedColumns: ["tenant_id","user_id"]
    }
                  ]
                },"notification_rules": {
                  Row: {
                    "channels": (Database["public"]['Enums']["notification_channel"])[],"created_at": string,"enabled": boolean,"event": Database["public"]['Enums']["notification_event"],"roles": (Database["public"]['Enums']["member_role"])[],"tenant_id": string,"updated_at": string,"updated_by": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "channels": (Database["public"]['Enums']["notification_channel"])[],"created_at"?: string,"enabled"?: boolean,"event": Database["public"]['Enums']["notification_event"],"roles": (Database["public"]['Enums']["member_role"])[],"tenant_id": string,"updated_at"?: string,"updated_by"?: string | null
                  }
                  Update: {
                    "channels"?: (Database["public"]['Enums']["notification_channel"])[],"created_at"?: string,"enabled"?: boolean,"event"?: Database["public"]['Enums']["notification_event"],"roles"?: (Database["public"]['Enums']["member_role"])[],"tenant_id"?: string,"updated_at"?: string,"updated_by"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "notification_rules_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"notifications": {
                  Row: {
                    "attempts": NonNullable<Json>,"channel_index": number,"channels": (Database["public"]['Enums']["notification_channel"])[],"created_at": string,"event": Database["public"]['Enums']["notification_event"],"finished_at": string | null,"id": string,"last_error": Json | null,"lease_expires_at": string | null,"lease_owner": string | null,"locale": string,"next_attempt_at": string,"payload": NonNullable<Json>,"recipient_user_id": string | null,"sent_channel": Database["public"]['Enums']["notification_channel"] | null,"status": Database["public"]['Enums']["notification_status"],"tenant_id": string,"to_email": string | null,"to_phone": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "attempts"?: NonNullable<Json>,"channel_index"?: number,"channels": (Database["public"]['Enums']["notification_channel"])[],"created_at"?: string,"event": Database["public"]['Enums']["notification_event"],"finished_at"?: string | null,"id"?: string,"last_error"?: Json | null,"lease_expires_at"?: string | null,"lease_owner"?: string | null,"locale"?: string,"next_attempt_at"?: string,"payload"?: NonNullable<Json>,"recipient_user_id"?: string | null,"sent_channel"?: Database["public"]['Enums']["notification_channel"] | null,"status"?: Database["public"]['Enums']["notification_status"],"tenant_id": string,"to_email"?: string | null,"to_phone"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "attempts"?: NonNullable<Json>,"channel_index"?: number,"channels"?: (Database["public"]['Enums']["notification_channel"])[],"created_at"?: string,"event"?: Database["public"]['Enums']["notification_event"],"finished_at"?: string | null,"id"?: string,"last_error"?: Json | null,"lease_expires_at"?: string | null,"lease_owner"?: string | null,"locale"?: string,"next_attempt_at"?: string,"payload"?: NonNullable<Json>,"recipient_user_id"?: string | null,"sent_channel"?: Database["public"]['Enums']["notification_channel"] | null,"status"?: Database["public"]['Enums']["notification_status"],"tenant_id"?: string,"to_email"?: string | null,"to_phone"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "notifications_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"profiles": {
                  Row: {
                    "avatar_url": string | null,"created_at": string,"email": string | null,"full_name": string | null,"id": string,"is_platform_admin": boolean,"locale": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "avatar_url"?: string | null,"created_at"?: string,"email"?: string | null,"full_name"?: string | null,"id": string,"is_platform_admin"?: boolean,"locale"?: string,"updated_at"?: string
                  }
                  Update: {
                    "avatar_url"?: string | null,"created_at"?: string,"email"?: string | null,"full_name"?: string | null,"id"?: string,"is_platform_admin"?: boolean,"locale"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"projects": {
                  Row: {
                    "completed_at": string | null,"created_at": string,"created_by": string | null,"description": string | null,"id": string,"inbox_id": string | null,"invitation_template": Json | null,"invitation_text": string | null,"launched_at": string | null,"name": string,"questions": NonNullable<Json>,"reminder_after_hours": number | null,"reminder_template": Json | null,"reminder_text": string | null,"responder_team_id": string | null,"send_rate_per_minute": number,"sending_hours": Json | null,"status": Database["public"]['Enums']["project_status"],"tenant_id": string,"time_zone": string,"timeout_hours": number,"type": Database["public"]['Enums']["project_type"],"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "completed_at"?: string | null,"created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"inbox_id"?: string | null,"invitation_template"?: Json | null,"invitation_text"?: string | null,"launched_at"?: string | null,"name": string,"questions"?: NonNullable<Json>,"reminder_after_hours"?: number | null,"reminder_template"?: Json | null,"reminder_text"?: string | null,"responder_team_id"?: string | null,"send_rate_per_minute"?: number,"sending_hours"?: Json | null,"status"?: Database["public"]['Enums']["project_status"],"tenant_id": string,"time_zone"?: string,"timeout_hours"?: number,"type"?: Database["public"]['Enums']["project_type"],"updated_at"?: string
                  }
                  Update: {
                    "completed_at"?: string | null,"created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"inbox_id"?: string | null,"invitation_template"?: Json | null,"invitation_text"?: string | null,"launched_at"?: string | null,"name"?: string,"questions"?: NonNullable<Json>,"reminder_after_hours"?: number | null,"reminder_template"?: Json | null,"reminder_text"?: string | null,"responder_team_id"?: string | null,"send_rate_per_minute"?: number,"sending_hours"?: Json | null,"status"?: Database["public"]['Enums']["project_status"],"tenant_id"?: string,"time_zone"?: string,"timeout_hours"?: number,"type"?: Database["public"]['Enums']["project_type"],"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "projects_inbox_id_fkey"
      columns: ["inbox_id"]
isOneToOne: false
      referencedRelation: "inboxes"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "projects_responder_team_id_fkey"
      columns: ["responder_team_id"]
isOneToOne: false
      referencedRelation: "teams"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "projects_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"provider_keys": {
                  Row: {
                    "created_at": string,"encrypted_key": string,"endpoint_origin": string | null,"endpoint_url": string | null,"id": string,"is_active": boolean,"is_shared": boolean,"key_last_four": string,"key_version": number,"last_used_at": string | null,"service": Database["public"]['Enums']["provider_key_service"],"tenant_id": string | null,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"encrypted_key": string,"endpoint_origin"?: string | null,"endpoint_url"?: string | null,"id"?: string,"is_active"?: boolean,"is_shared"?: boolean,"key_last_four": string,"key_version": number,"last_used_at"?: string | null,"service": Database["public"]['Enums']["provider_key_service"],"tenant_id"?: string | null,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"encrypted_key"?: string,"endpoint_origin"?: string | null,"endpoint_url"?: string | null,"id"?: string,"is_active"?: boolean,"is_shared"?: boolean,"key_last_four"?: string,"key_version"?: number,"last_used_at"?: string | null,"service"?: Database["public"]['Enums']["provider_key_service"],"tenant_id"?: string | null,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "provider_keys_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"qualification_requests": {
                  Row: {
                    "contact_id": string,"conversation_id": string | null,"created_at": string,"decided_at": string | null,"decided_by": string | null,"decided_by_kind": Database["public"]['Enums']["stage_actor_kind"] | null,"decision_reason": string | null,"evidence": NonNullable<Json>,"execution_id": string | null,"id": string,"requested_by": string | null,"requested_by_kind": Database["public"]['Enums']["stage_actor_kind"],"status": Database["public"]['Enums']["qualification_status"],"summary": string | null,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "contact_id": string,"conversation_id"?: string | null,"created_at"?: string,"decided_at"?: string | null,"decided_by"?: string | null,"decided_by_kind"?: Database["public"]['Enums']["stage_actor_kind"] | null,"decision_reason"?: string | null,"evidence"?: NonNullable<Json>,"execution_id"?: string | null,"id"?: string,"requested_by"?: string | null,"requested_by_kind": Database["public"]['Enums']["stage_actor_kind"],"status"?: Database["public"]['Enums']["qualification_status"],"summary"?: string | null,"tenant_id": string
                  }
                  Update: {
                    "contact_id"?: string,"conversation_id"?: string | null,"created_at"?: string,"decided_at"?: string | null,"decided_by"?: string | null,"decided_by_kind"?: Database["public"]['Enums']["stage_actor_kind"] | null,"decision_reason"?: string | null,"evidence"?: NonNullable<Json>,"execution_id"?: string | null,"id"?: string,"requested_by"?: string | null,"requested_by_kind"?: Database["public"]['Enums']["stage_actor_kind"],"status"?: Database["public"]['Enums']["qualification_status"],"summary"?: string | null,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "qualification_requests_contact_id_fkey"
      columns: ["contact_id"]
isOneToOne: false
      referencedRelation: "contacts"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "qualification_requests_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "qualification_requests_execution_id_fkey"
      columns: ["execution_id"]
isOneToOne: false
      referencedRelation: "executions"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "qualification_requests_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"qualification_rules": {
                  Row: {
                    "auto_approve": boolean,"created_at": string,"minimum_score": number | null,"required_evidence": (string)[],"tenant_id": string,"updated_at": string,"updated_by": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "auto_approve"?: boolean,"created_at"?: string,"minimum_score"?: number | null,"required_evidence"?: (string)[],"tenant_id": string,"updated_at"?: string,"updated_by"?: string | null
                  }
                  Update: {
                    "auto_approve"?: boolean,"created_at"?: string,"minimum_score"?: number | null,"required_evidence"?: (string)[],"tenant_id"?: string,"updated_at"?: string,"updated_by"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "qualification_rules_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: true
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"responder_settings": {
                  Row: {
                    "business_hours": Json | null,"created_at": string,"debounce_ms": number,"handoff_keywords": (string)[],"history_messages": number,"id": string,"inbox_id": string | null,"max_bot_turns": number,"opt_in_words": (string)[],"opt_out_words": (string)[],"out_of_hours_reply": string | null,"team_id": string | null,"tenant_id": string,"time_zone": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "business_hours"?: Json | null,"created_at"?: string,"debounce_ms"?: number,"handoff_keywords"?: (string)[],"history_messages"?: number,"id"?: string,"inbox_id"?: string | null,"max_bot_turns"?: number,"opt_in_words"?: (string)[],"opt_out_words"?: (string)[],"out_of_hours_reply"?: string | null,"team_id"?: string | null,"tenant_id": string,"time_zone"?: string,"updated_at"?: string
                  }
                  Update: {
                    "business_hours"?: Json | null,"created_at"?: string,"debounce_ms"?: number,"handoff_keywords"?: (string)[],"history_messages"?: number,"id"?: string,"inbox_id"?: string | null,"max_bot_turns"?: number,"opt_in_words"?: (string)[],"opt_out_words"?: (string)[],"out_of_hours_reply"?: string | null,"team_id"?: string | null,"tenant_id"?: string,"time_zone"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "responder_settings_inbox_id_fkey"
      columns: ["inbox_id"]
isOneToOne: false
      referencedRelation: "inboxes"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "responder_settings_team_id_fkey"
      columns: ["team_id"]
isOneToOne: false
      referencedRelation: "teams"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "responder_settings_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"team_agents": {
                  Row: {
                    "agent_id": string,"conditions": NonNullable<Json>,"config": NonNullable<Json>,"created_at": string,"execution_order": number,"id": string,"input": NonNullable<Json>,"role": Database["public"]['Enums']["team_agent_role"],"team_id": string,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id": string,"conditions"?: NonNullable<Json>,"config"?: NonNullable<Json>,"created_at"?: string,"execution_order": number,"id"?: string,"input"?: NonNullable<Json>,"role"?: Database["public"]['Enums']["team_agent_role"],"team_id": string,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "agent_id"?: string,"conditions"?: NonNullable<Json>,"config"?: NonNullable<Json>,"created_at"?: string,"execution_order"?: number,"id"?: string,"input"?: NonNullable<Json>,"role"?: Database["public"]['Enums']["team_agent_role"],"team_id"?: string,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "team_agents_agent_id_fkey"
      columns: ["agent_id"]
isOneToOne: false
      referencedRelation: "agents"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "team_agents_team_id_fkey"
      columns: ["team_id"]
isOneToOne: false
      referencedRelation: "teams"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "team_agents_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"teams": {
                  Row: {
                    "continue_on_error": boolean,"created_at": string,"created_by": string | null,"description": string,"id": string,"is_active": boolean,"max_parallel_agents": number,"max_tokens": number | null,"name": string,"temperature": number | null,"tenant_id": string,"timeout_seconds": number,"updated_at": string,"workflow_type": Database["public"]['Enums']["workflow_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "continue_on_error"?: boolean,"created_at"?: string,"created_by"?: string | null,"description"?: string,"id"?: string,"is_active"?: boolean,"max_parallel_agents"?: number,"max_tokens"?: number | null,"name": string,"temperature"?: number | null,"tenant_id": string,"timeout_seconds"?: number,"updated_at"?: string,"workflow_type"?: Database["public"]['Enums']["workflow_type"]
                  }
                  Update: {
                    "continue_on_error"?: boolean,"created_at"?: string,"created_by"?: string | null,"description"?: string,"id"?: string,"is_active"?: boolean,"max_parallel_agents"?: number,"max_tokens"?: number | null,"name"?: string,"temperature"?: number | null,"tenant_id"?: string,"timeout_seconds"?: number,"updated_at"?: string,"workflow_type"?: Database["public"]['Enums']["workflow_type"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "teams_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"tenant_tools": {
                  Row: {
                    "created_at": string,"created_by": string | null,"description": string,"headers": NonNullable<Json>,"id": string,"is_active": boolean,"method": string,"name": string,"parameters": NonNullable<Json>,"tenant_id": string,"timeout_ms": number,"updated_at": string,"url": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string,"headers"?: NonNullable<Json>,"id"?: string,"is_active"?: boolean,"method"?: string,"name": string,"parameters"?: NonNullable<Json>,"tenant_id": string,"timeout_ms"?: number,"updated_at"?: string,"url": string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string,"headers"?: NonNullable<Json>,"id"?: string,"is_active"?: boolean,"method"?: string,"name"?: string,"parameters"?: NonNullable<Json>,"tenant_id"?: string,"timeout_ms"?: number,"updated_at"?: string,"url"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "tenant_tools_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"tenants": {
                  Row: {
                    "agents_endpoint_url": string | null,"agents_timeout_ms": number,"created_at": string,"created_by": string | null,"default_agent_type": string,"http_request_hosts": (string)[],"id": string,"monthly_budget_usd": number | null,"name": string,"plan": Database["public"]['Enums']["tenant_plan"],"rag_enabled": boolean,"rag_top_k": number,"slug": string,"status": Database["public"]['Enums']["tenant_status"],"tax_id": string | null,"updated_at": string,"usd_brl_rate": number | null
                  }
                  ComputedFields: never
                  Insert: {
                    "agents_endpoint_url"?: string | null,"agents_timeout_ms"?: number,"created_at"?: string,"created_by"?: string | null,"default_agent_type"?: string,"http_request_hosts"?: (string)[],"id"?: string,"monthly_budget_usd"?: number | null,"name": string,"plan"?: Database["public"]['Enums']["tenant_plan"],"rag_enabled"?: boolean,"rag_top_k"?: number,"slug": string,"status"?: Database["public"]['Enums']["tenant_status"],"tax_id"?: string | null,"updated_at"?: string,"usd_brl_rate"?: number | null
                  }
                  Update: {
                    "agents_endpoint_url"?: string | null,"agents_timeout_ms"?: number,"created_at"?: string,"created_by"?: string | null,"default_agent_type"?: string,"http_request_hosts"?: (string)[],"id"?: string,"monthly_budget_usd"?: number | null,"name"?: string,"plan"?: Database["public"]['Enums']["tenant_plan"],"rag_enabled"?: boolean,"rag_top_k"?: number,"slug"?: string,"status"?: Database["public"]['Enums']["tenant_status"],"tax_id"?: string | null,"updated_at"?: string,"usd_brl_rate"?: number | null
                  }
                  Relationships: [
                    
                  ]
                },"tools": {
                  Row: {
                    "created_at": string,"description": string,"id": string,"name": string,"parameters": NonNullable<Json>
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"description"?: string,"id": string,"name": string,"parameters"?: NonNullable<Json>
                  }
                  Update: {
                    "created_at"?: string,"description"?: string,"id"?: string,"name"?: string,"parameters"?: NonNullable<Json>
                  }
                  Relationships: [
                    
                  ]
                },"usage_ledger": {
                  Row: {
                    "agent_id": string | null,"cost_usd": number,"execution_id": string,"id": string,"input_tokens": number,"input_usd_per_million": number,"model": string,"output_tokens": number,"output_usd_per_million": number,"price_id": string | null,"provider": Database["public"]['Enums']["agent_provider"],"recorded_at": string,"step_id": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id"?: string | null,"cost_usd": number,"execution_id": string,"id"?: string,"input_tokens": number,"input_usd_per_million": number,"model": string,"output_tokens": number,"output_usd_per_million": number,"price_id"?: string | null,"provider": Database["public"]['Enums']["agent_provider"],"recorded_at"?: string,"step_id": string,"tenant_id": string
                  }
                  Update: {
                    "agent_id"?: string | null,"cost_usd"?: number,"execution_id"?: string,"id"?: string,"input_tokens"?: number,"input_usd_per_million"?: number,"model"?: string,"output_tokens"?: number,"output_usd_per_million"?: number,"price_id"?: string | null,"provider"?: Database["public"]['Enums']["agent_provider"],"recorded_at"?: string,"step_id"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "usage_ledger_agent_id_fkey"
      columns: ["agent_id"]
isOneToOne: false
      referencedRelation: "agents"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "usage_ledger_execution_id_fkey"
      columns: ["execution_id"]
isOneToOne: false
      referencedRelation: "executions"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "usage_ledger_price_id_fkey"
      columns: ["price_id"]
isOneToOne: false
      referencedRelation: "model_prices"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "usage_ledger_step_id_fkey"
      columns: ["step_id"]
isOneToOne: true
      referencedRelation: "execution_steps"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "usage_ledger_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"webhook_events": {
                  Row: {
                    "attempts": number,"body_sha256": string,"error": string | null,"headers": NonNullable<Json>,"id": number,"inbox_id": string,"next_attempt_at": string | null,"outcome": Json | null,"processed_at": string | null,"provider": Database["public"]['Enums']["inbox_provider"],"raw_body": string,"received_at": string,"status": Database["public"]['Enums']["webhook_event_status"],"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "attempts"?: number,"body_sha256": string,"error"?: string | null,"headers"?: NonNullable<Json>,"id"?: never,"inbox_id": string,"next_attempt_at"?: string | null,"outcome"?: Json | null,"processed_at"?: string | null,"provider": Database["public"]['Enums']["inbox_provider"],"raw_body": string,"received_at"?: string,"status"?: Database["public"]['Enums']["webhook_event_status"],"tenant_id": string
                  }
                  Update: {
                    "attempts"?: number,"body_sha256"?: string,"error"?: string | null,"headers"?: NonNullable<Json>,"id"?: never,"inbox_id"?: string,"next_attempt_at"?: string | null,"outcome"?: Json | null,"processed_at"?: string | null,"provider"?: Database["public"]['Enums']["inbox_provider"],"raw_body"?: string,"received_at"?: string,"status"?: Database["public"]['Enums']["webhook_event_status"],"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "webhook_events_inbox_id_fkey"
      columns: ["inbox_id"]
isOneToOne: false
      referencedRelation: "inboxes"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "webhook_events_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "accept_invitation":
{ Args: { "invitation_id": string,"token": string }; Returns: {
              "created_at": string,
"id": string,
"role": Database["public"]['Enums']["member_role"],
"tenant_id": string,
"updated_at": string,
"user_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "memberships"
        isOneToOne: true
        isSetofReturn: false
      } },
"admin_get_tenant":
{ Args: { "target_tenant_id": string }; Returns: Json
                           },
"admin_list_tenants":
{ Args: { "page_limit"?: number,"page_offset"?: number,"search"?: string }; Returns: {
              "created_at": string,"id": string,"member_count": number,"name": string,"plan": Database["public"]['Enums']["tenant_plan"],"slug": string,"status": Database["public"]['Enums']["tenant_status"],"total_count": number
            }[]
                           },
"admin_set_tenant_status":
{ Args: { "new_status": Database["public"]['Enums']["tenant_status"],"target_tenant_id": string }; Returns: {
              "agents_endpoint_url": string | null,
"agents_timeout_ms": number,
"created_at": string,
"created_by": string | null,
"default_agent_type": string,
"http_request_hosts": (string)[],
"id": string,
"monthly_budget_usd": number | null,
"name": string,
"plan": Database["public"]['Enums']["tenant_plan"],
"rag_enabled": boolean,
"rag_top_k": number,
"slug": string,
"status": Database["public"]['Enums']["tenant_status"],
"tax_id": string | null,
"updated_at": string,
"usd_brl_rate": number | null
            }
                          SetofOptions: {
        from: "*"
        to: "tenants"
        isOneToOne: true
        isSetofReturn: false
      } },
"analytics_agent_consumption":
{ Args: { "from_month"?: string,"target_tenant_id": string,"to_month"?: string }; Returns: {
              "agent_id": string,"cost_usd": number,"input_tokens": number,"month": string,"output_tokens": number,"runs": number,"steps": number
            }[]
                           },
"analytics_agent_performance":
{ Args: { "from_day"?: string,"target_tenant_id": string,"to_day"?: string }; Returns: {
              "agent_id": string,"cost_per_run_usd": number,"cost_usd": number,"day": string,"duration_p50_ms": number,"duration_p95_ms": number,"failed": number,"input_tokens": number,"output_tokens": number,"retries": number,"runs": number,"succeeded": number,"success_rate": number,"timeouts": number
            }[]
                           },
"analytics_freshness":
{ Args: Record<PropertyKey, never>; Returns: {
              "last_attempt_at": string,"last_duration_ms": number,"last_error": string,"next_due_at": string,"refresh_every": string,"refreshed_at": string,"view_name": string
            }[]
                           },
"analytics_inbox_consumption":
{ Args: { "from_month"?: string,"target_tenant_id": string,"to_month"?: string }; Returns: {
              "active_days": number,"conversations_started": number,"cost_usd": number,"inbox_id": string,"input_tokens": number,"messages_in": number,"messages_out": number,"month": string,"output_tokens": number
            }[]
                           },
"analytics_lead_funnel":
{ Args: { "from_day"?: string,"grain"?: string,"target_inbox_id"?: string,"target_tenant_id": string,"to_day"?: string }; Returns: {
              "answered_by_bot": number,"conversations_started": number,"customers": number,"handed_to_person": number,"lost": number,"new_contacts": number,"period": string,"qualified": number,"reopened": number
            }[]
                           },
"analytics_refresh_now":
{ Args: { "target_view": string }; Returns: string
                           },
"analytics_response_times":
{ Args: { "from_day"?: string,"target_inbox_id"?: string,"target_tenant_id": string,"to_day"?: string }; Returns: {
              "day": string,"first_response_p50_ms": number,"first_response_p90_ms": number,"first_responses": number,"inbox_id": string,"replies": number,"reply_p50_ms": number,"reply_p90_ms": number,"responder": string
            }[]
                           },
"analytics_team_performance":
{ Args: { "from_day"?: string,"target_tenant_id": string,"to_day"?: string }; Returns: {
              "cancelled": number,"cost_per_run_usd": number,"cost_usd": number,"day": string,"duration_p50_ms": number,"duration_p95_ms": number,"failed": number,"input_tokens": number,"output_tokens": number,"retries": number,"runs": number,"succeeded": number,"success_rate": number,"team_id": string,"timeouts": number
            }[]
                           },
"approve_execution_step":
{ Args: { "approved_output"?: string,"target_step_id": string }; Returns: {
              "agent_definition": NonNullable<Json>,
"agent_id": string | null,
"agent_version": number,
"approval_decided_at": string | null,
"approval_decided_by": string | null,
"approval_decision": string | null,
"approval_due_at": string | null,
"approval_reason": string | null,
"attempt_count": number,
"citations": NonNullable<Json>,
"conditions": NonNullable<Json>,
"cost_usd": number,
"created_at": string,
"error_message": string | null,
"execution_id": string,
"finished_at": string | null,
"id": string,
"input_spec": NonNullable<Json>,
"input_tokens": number,
"latency_ms": number | null,
"lease_expires_at": string | null,
"lease_owner": string | null,
"max_attempts": number,
"next_attempt_at": string | null,
"output": string | null,
"output_tokens": number,
"overrides": NonNullable<Json>,
"position": number,
"proposed_output": string | null,
"resolved_input": string | null,
"role": Database["public"]['Enums']["team_agent_role"],
"skip_reason": string | null,
"started_at": string | null,
"status": Database["public"]['Enums']["step_status"],
"tenant_id": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "execution_steps"
        isOneToOne: true
        isSetofReturn: false
      } },
"cancel_interview":
{ Args: { "interview_id": string,"reason": string }; Returns: {
              "answers": NonNullable<Json>,
"cancel_reason": string | null,
"completed_at": string | null,
"contact_id": string,
"conversation_id": string | null,
"created_at": string,
"ended_at": string | null,
"id": string,
"invited_at": string | null,
"metadata": NonNullable<Json>,
"project_id": string,
"reminded_at": string | null,
"sentiment": string | null,
"started_at": string | null,
"status": Database["public"]['Enums']["interview_status"],
"summary": string | null,
"tenant_id": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "interviews"
        isOneToOne: true
        isSetofReturn: false
      } },
"conversation_messages":
{ Args: { "before_index"?: number,"conversation": string,"page_size"?: number,"started_at"?: string }; Returns: {
              "body": string | null,
"channel": Database["public"]['Enums']["message_channel"],
"contact_id": string,
"conversation_id": string,
"cost_usd": number | null,
"created_at": string,
"direction": Database["public"]['Enums']["message_direction"],
"error": Json | null,
"execution_id": string | null,
"id": string,
"inbox_id": string,
"input_tokens": number | null,
"media": Json | null,
"message_index": number,
"metadata": NonNullable<Json>,
"output_tokens": number | null,
"provider_message_id": string | null,
"role": Database["public"]['Enums']["message_role"],
"sent_at": string | null,
"sent_by": string | null,
"status": Database["public"]['Enums']["message_status"],
"status_at": string | null,
"tenant_id": string,
"type": Database["public"]['Enums']["message_type"]
            }[]
                          SetofOptions: {
        from: "*"
        to: "messages"
        isOneToOne: false
        isSetofReturn: true
      } },
"convert_contact":
{ Args: { "notes"?: string,"target_contact_id": string }; Returns: {
              "contact_id": string,
"converted_by": string | null,
"created_at": string,
"id": string,
"metadata": NonNullable<Json>,
"notes": string | null,
"qualification_request_id": string | null,
"tenant_id": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "customers"
        isOneToOne: true
        isSetofReturn: false
      } },
"create_analyst_login":
{ Args: { "max_connections"?: number,"target_tenant_id": string,"timeout_ms"?: number }; Returns: {
              "connection_limit": number,"created_at": string,"password": string,"role_name": string,"statement_timeout_ms": number
            }[]
                           },
"create_inbox":
{ Args: { "display_name": string,"phone_number": string,"provider": Database["public"]['Enums']["inbox_provider"],"provider_ids": Json,"secrets": Json,"target_tenant_id": string }; Returns: Json
                           },
"create_mcp_token":
{ Args: { "expires"?: string,"target_tenant_id": string,"token_name": string,"token_scope"?: string }; Returns: {
              "id": string,"token": string
            }[]
                           },
"create_team_from_template":
{ Args: { "locale"?: string,"target_tenant_id": string,"template_key": string }; Returns: string
                           },
"create_tenant":
{ Args: { "agents_endpoint_url"?: string,"name": string,"slug": string,"tax_id"?: string }; Returns: {
              "agents_endpoint_url": string | null,
"agents_timeout_ms": number,
"created_at": string,
"created_by": string | null,
"default_agent_type": string,
"http_request_hosts": (string)[],
"id": string,
"monthly_budget_usd": number | null,
"name": string,
"plan": Database["public"]['Enums']["tenant_plan"],
"rag_enabled": boolean,
"rag_top_k": number,
"slug": string,
"status": Database["public"]['Enums']["tenant_status"],
"tax_id": string | null,
"updated_at": string,
"usd_brl_rate": number | null
            }
                          SetofOptions: {
        from: "*"
        to: "tenants"
        isOneToOne: true
        isSetofReturn: false
      } },
"dead_letters":
{ Args: { "before_failed_at"?: string,"before_id"?: string,"page_limit"?: number,"target_inbox_id"?: string,"target_tenant_id": string }; Returns: {
              "attempts": number,"body": string,"contact_name": string,"contact_phone": string,"conversation_id": string,"created_at": string,"failed_at": string,"id": string,"inbox_id": string,"inbox_name": string,"last_error": Json,"message_id": string,"role": Database["public"]['Enums']["message_role"]
            }[]
                           },
"decide_qualification_request":
{ Args: { "approve": boolean,"reason"?: string,"target_request_id": string }; Returns: {
              "contact_id": string,
"conversation_id": string | null,
"created_at": string,
"decided_at": string | null,
"decided_by": string | null,
"decided_by_kind": Database["public"]['Enums']["stage_actor_kind"] | null,
"decision_reason": string | null,
"evidence": NonNullable<Json>,
"execution_id": string | null,
"id": string,
"requested_by": string | null,
"requested_by_kind": Database["public"]['Enums']["stage_actor_kind"],
"status": Database["public"]['Enums']["qualification_status"],
"summary": string | null,
"tenant_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "qualification_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"decline_invitation":
{ Args: { "invitation_id": string,"token": string }; Returns: undefined
                           },
"decline_my_invitation":
{ Args: { "target_invitation_id": string }; Returns: {
              "email": string,"expires_at": string,"id": string,"invited_by_email": string,"invited_by_name": string,"role": Database["public"]['Enums']["member_role"],"status": string,"tenant_id": string,"tenant_name": string
            }[]
                           },
"discard_dead_letter":
{ Args: { "target_delivery_id": string,"target_tenant_id": string }; Returns: string
                           },
"inbox_secret_hints":
{ Args: { "target_inbox_id": string }; Returns: {
              "kind": Database["public"]['Enums']["inbox_secret_kind"],"last_four": string,"updated_at": string
            }[]
                           },
"issue_invitation_token":
{ Args: { "invitation_id": string }; Returns: string
                           },
"knowledge_text_candidates":
{ Args: { "candidate_count": number,"collection_ids"?: (string)[],"knowledge_base_ids": (string)[],"metadata_filter"?: Json,"query_text": string }; Returns: (string)[]
                           },
"launch_project":
{ Args: { "selection": Json,"target_project_id": string }; Returns: Json
                           },
"list_my_invitations":
{ Args: Record<PropertyKey, never>; Returns: {
              "created_at": string,"expires_at": string,"id": string,"invited_by_email": string,"invited_by_name": string,"role": Database["public"]['Enums']["member_role"],"tenant_id": string,"tenant_name": string,"tenant_slug": string
            }[]
                           },
"my_capabilities":
{ Args: { "target_tenant_id": string }; Returns: (Database["public"]['Enums']["tenant_capability"])[]
                           },
"notification_rules_of":
{ Args: { "target_tenant_id": string }; Returns: {
              "channels": (Database["public"]['Enums']["notification_channel"])[],"enabled": boolean,"event": Database["public"]['Enums']["notification_event"],"is_default": boolean,"roles": (Database["public"]['Enums']["member_role"])[],"updated_at": string
            }[]
                           },
"project_report":
{ Args: { "target_project_id": string }; Returns: Json
                           },
"read_invitation":
{ Args: { "invitation_id": string,"token": string }; Returns: {
              "email": string,"expires_at": string,"id": string,"invited_by_email": string,"invited_by_name": string,"role": Database["public"]['Enums']["member_role"],"status": string,"tenant_id": string,"tenant_name": string
            }[]
                           },
"record_knowledge_usage":
{ Args: { "used_chunk_ids": (string)[],"using_agent_id": string }; Returns: undefined
                           },
"reject_execution_step":
{ Args: { "reason": string,"target_step_id": string }; Returns: {
              "agent_definition": NonNullable<Json>,
"agent_id": string | null,
"agent_version": number,
"approval_decided_at": string | null,
"approval_decided_by": string | null,
"approval_decision": string | null,
"approval_due_at": string | null,
"approval_reason": string | null,
"attempt_count": number,
"citations": NonNullable<Json>,
"conditions": NonNullable<Json>,
"cost_usd": number,
"created_at": string,
"error_message": string | null,
"execution_id": string,
"finished_at": string | null,
"id": string,
"input_spec": NonNullable<Json>,
"input_tokens": number,
"latency_ms": number | null,
"lease_expires_at": string | null,
"lease_owner": string | null,
"max_attempts": number,
"next_attempt_at": string | null,
"output": string | null,
"output_tokens": number,
"overrides": NonNullable<Json>,
"position": number,
"proposed_output": string | null,
"resolved_input": string | null,
"role": Database["public"]['Enums']["team_agent_role"],
"skip_reason": string | null,
"started_at": string | null,
"status": Database["public"]['Enums']["step_status"],
"tenant_id": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "execution_steps"
        isOneToOne: true
        isSetofReturn: false
      } },
"replace_document_chunks":
{ Args: { "chunks": Json,"finished_version": number,"target_document_id": string }; Returns: number
                           },
"replace_message_templates":
{ Args: { "target_inbox_id": string,"templates": Json }; Returns: number
                           },
"replay_webhook_event":
{ Args: { "target_event_id": number }; Returns: Json
                           },
"reply_in_conversation":
{ Args: { "body": string,"target_conversation_id": string }; Returns: string
                           },
"reply_with_template":
{ Args: { "buttons"?: Json,"header"?: Json,"parameters"?: (string)[],"target_conversation_id": string,"template_language": string,"template_name": string }; Returns: string
                           },
"request_qualification":
{ Args: { "evidence": Json,"summary"?: string,"target_contact_id": string }; Returns: {
              "contact_id": string,
"conversation_id": string | null,
"created_at": string,
"decided_at": string | null,
"decided_by": string | null,
"decided_by_kind": Database["public"]['Enums']["stage_actor_kind"] | null,
"decision_reason": string | null,
"evidence": NonNullable<Json>,
"execution_id": string | null,
"id": string,
"requested_by": string | null,
"requested_by_kind": Database["public"]['Enums']["stage_actor_kind"],
"status": Database["public"]['Enums']["qualification_status"],
"summary": string | null,
"tenant_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "qualification_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"resend_interview_invitation":
{ Args: { "interview_id": string }; Returns: {
              "answers": NonNullable<Json>,
"cancel_reason": string | null,
"completed_at": string | null,
"contact_id": string,
"conversation_id": string | null,
"created_at": string,
"ended_at": string | null,
"id": string,
"invited_at": string | null,
"metadata": NonNullable<Json>,
"project_id": string,
"reminded_at": string | null,
"sentiment": string | null,
"started_at": string | null,
"status": Database["public"]['Enums']["interview_status"],
"summary": string | null,
"tenant_id": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "interviews"
        isOneToOne: true
        isSetofReturn: false
      } },
"resolve_share_grantee":
{ Args: { "grantee_email"?: string,"grantee_tenant_id"?: string,"grantee_tenant_slug"?: string,"target_agent_id": string }; Returns: {
              "tenant_id": string,"user_id": string
            }[]
                           },
"retry_dead_letter":
{ Args: { "target_delivery_id": string,"target_tenant_id": string }; Returns: string
                           },
"revoke_mcp_token":
{ Args: { "token_id": string }; Returns: undefined
                           },
"rotate_inbox_secret":
{ Args: { "kind": Database["public"]['Enums']["inbox_secret_kind"],"new_value"?: string,"target_inbox_id": string }; Returns: string
                           },
"run_admin_command":
{ Args: { "arguments"?: Json,"command": Database["public"]['Enums']["admin_command"],"reason"?: string,"target_id": string }; Returns: Json
                           },
"search_contacts":
{ Args: { "max_rows"?: number,"search": string,"target_tenant_id": string }; Returns: {
              "created_at": string,
"email": string | null,
"id": string,
"lifecycle_stage": Database["public"]['Enums']["lifecycle_stage"],
"metadata": NonNullable<Json>,
"name": string | null,
"opt_out_reason": string | null,
"opted_out_at": string | null,
"phone": string,
"status": Database["public"]['Enums']["contact_status"],
"tags": (string)[],
"tenant_id": string,
"updated_at": string
            }[]
                          SetofOptions: {
        from: "*"
        to: "contacts"
        isOneToOne: false
        isSetofReturn: true
      } },
"search_knowledge":
{ Args: { "agent_id"?: string,"collection_ids"?: (string)[],"knowledge_base_ids"?: (string)[],"match_count"?: number,"metadata_filter"?: Json,"min_score"?: number,"query_embedding"?: string,"query_text": string,"vector_weight"?: number }; Returns: {
              "chunk_id": string,"chunk_index": number,"content": string,"document_id": string,"document_title": string,"heading_path": (string)[],"knowledge_base_id": string,"page": number,"score": number,"snippet": string,"text_score": number,"vector_score": number,"version": number
            }[]
                           },
"set_company_budget":
{ Args: { "monthly_budget_usd": number,"target_tenant_id": string,"usd_brl_rate": number }; Returns: {
              "agents_endpoint_url": string | null,
"agents_timeout_ms": number,
"created_at": string,
"created_by": string | null,
"default_agent_type": string,
"http_request_hosts": (string)[],
"id": string,
"monthly_budget_usd": number | null,
"name": string,
"plan": Database["public"]['Enums']["tenant_plan"],
"rag_enabled": boolean,
"rag_top_k": number,
"slug": string,
"status": Database["public"]['Enums']["tenant_status"],
"tax_id": string | null,
"updated_at": string,
"usd_brl_rate": number | null
            }
                          SetofOptions: {
        from: "*"
        to: "tenants"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_contact_stage":
{ Args: { "reason"?: string,"target_contact_id": string,"to_stage": Database["public"]['Enums']["lifecycle_stage"] }; Returns: {
              "actor_id": string | null,
"actor_kind": Database["public"]['Enums']["stage_actor_kind"],
"contact_id": string,
"created_at": string,
"evidence": NonNullable<Json>,
"execution_id": string | null,
"from_stage": Database["public"]['Enums']["lifecycle_stage"],
"id": string,
"reason": string | null,
"tenant_id": string,
"to_stage": Database["public"]['Enums']["lifecycle_stage"]
            }
                          SetofOptions: {
        from: "*"
        to: "contact_stage_changes"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_inbox_window_template":
{ Args: { "target_inbox_id": string,"template_language"?: string,"template_name": string }; Returns: {
              "created_at": string,
"created_by": string | null,
"display_name": string,
"evolution_base_url": string | null,
"evolution_instance_name": string | null,
"id": string,
"meta_phone_number_id": string | null,
"meta_waba_id": string | null,
"phone_number": string | null,
"provider": Database["public"]['Enums']["inbox_provider"],
"status": Database["public"]['Enums']["inbox_status"],
"tenant_id": string,
"updated_at": string,
"window_template": Json | null,
"zapi_instance_id": string | null
            }
                          SetofOptions: {
        from: "*"
        to: "inboxes"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_provider_key":
{ Args: { "api_key": string,"for_endpoint_url"?: string,"for_service": string,"for_tenant_id"?: string }; Returns: {
              "created_at": string,"endpoint_url": string,"id": string,"is_active": boolean,"is_shared": boolean,"key_last_four": string,"last_used_at": string,"service": Database["public"]['Enums']["provider_key_service"],"tenant_id": string,"updated_at": string
            }[]
                           },
"set_provider_key_sharing":
{ Args: { "shared": boolean,"target_key_id": string }; Returns: {
              "created_at": string,"endpoint_url": string,"id": string,"is_active": boolean,"is_shared": boolean,"key_last_four": string,"last_used_at": string,"service": Database["public"]['Enums']["provider_key_service"],"tenant_id": string,"updated_at": string
            }[]
                           },
"set_tenant_tool_secret":
{ Args: { "header_name": string,"secret_value": string,"tool_id": string }; Returns: undefined
                           },
"share_grantee":
{ Args: { "share_id": string }; Returns: {
              "email": string,"tenant_name": string,"tenant_slug": string
            }[]
                           },
"start_execution":
{ Args: { "initial_prompt": string,"target_team_id": string,"variables"?: Json }; Returns: {
              "approval_waiting_since": string | null,
"cancel_requested_at": string | null,
"cost_usd": number,
"created_at": string,
"created_by": string | null,
"deadline_at": string | null,
"error_message": string | null,
"final_result": Json | null,
"finished_at": string | null,
"finished_steps": number,
"id": string,
"initial_prompt": string,
"input_tokens": number,
"last_event_seq": number,
"output_tokens": number,
"shared_context": NonNullable<Json>,
"started_at": string | null,
"status": Database["public"]['Enums']["execution_status"],
"team_config": NonNullable<Json>,
"team_id": string | null,
"tenant_id": string,
"total_steps": number,
"updated_at": string,
"variables": NonNullable<Json>,
"workflow_type": Database["public"]['Enums']["workflow_type"]
            }
                          SetofOptions: {
        from: "*"
        to: "executions"
        isOneToOne: true
        isSetofReturn: false
      } },
"stop_execution":
{ Args: { "target_execution_id": string }; Returns: {
              "approval_waiting_since": string | null,
"cancel_requested_at": string | null,
"cost_usd": number,
"created_at": string,
"created_by": string | null,
"deadline_at": string | null,
"error_message": string | null,
"final_result": Json | null,
"finished_at": string | null,
"finished_steps": number,
"id": string,
"initial_prompt": string,
"input_tokens": number,
"last_event_seq": number,
"output_tokens": number,
"shared_context": NonNullable<Json>,
"started_at": string | null,
"status": Database["public"]['Enums']["execution_status"],
"team_config": NonNullable<Json>,
"team_id": string | null,
"tenant_id": string,
"total_steps": number,
"updated_at": string,
"variables": NonNullable<Json>,
"workflow_type": Database["public"]['Enums']["workflow_type"]
            }
                          SetofOptions: {
        from: "*"
        to: "executions"
        isOneToOne: true
        isSetofReturn: false
      } },
"team_template_definitions":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"tenant_tool_secret_names":
{ Args: { "tool_id": string }; Returns: (string)[]
                           }
          }
          Enums: {
            "admin_command": "suspend_company"|"reactivate_company"|"resend_interview_invitation"|"cancel_interview"|"close_conversation"|"export_contact"|"erase_contact","agent_provider": "openai-compatible"|"anthropic"|"suna"|"agent-api"|"demo","agent_status": "draft"|"active"|"archived","agent_type": "sdr"|"copilot"|"custom"|"sub_agent","contact_status": "active"|"inactive"|"blocked","conversation_assignee": "bot"|"member"|"unassigned","conversation_status": "open"|"pending"|"closed","document_change": "created"|"replaced"|"reingested","document_source": "upload"|"url"|"text","document_status": "pending"|"processing"|"ready"|"failed","execution_status": "pending"|"running"|"waiting_approval"|"completed"|"failed"|"cancelled","inbox_provider": "meta_cloud"|"zapi"|"evolution","inbox_secret_kind": "meta_app_secret"|"meta_verify_token"|"meta_access_token"|"zapi_instance_token"|"zapi_client_token"|"evolution_api_key","inbox_status": "active"|"disabled","interview_status": "pending"|"invited"|"in_progress"|"completed"|"cancelled"|"expired","knowledge_embedder": "lexical"|"openai_compatible"|"gte_small","knowledge_language": "portuguese"|"english"|"spanish"|"simple","lifecycle_stage": "lead"|"qualified"|"customer"|"lost","member_role": "owner"|"admin"|"member"|"analyst","message_channel": "whatsapp"|"sms"|"email","message_direction": "in"|"out","message_role": "user"|"assistant"|"human"|"system","message_status": "received"|"queued"|"sent"|"delivered"|"read"|"failed","message_template_status": "approved"|"pending"|"rejected"|"paused"|"disabled","message_type": "text"|"image"|"audio"|"video"|"document"|"location"|"reaction"|"interactive"|"unknown","notification_channel": "whatsapp"|"sms"|"email","notification_event": "handoff_requested"|"dead_letter"|"budget_80"|"approval_requested"|"project_finished","notification_status": "pending"|"sending"|"sent"|"dead","project_status": "draft"|"active"|"paused"|"completed","project_type": "survey"|"campaign"|"support","provider_key_service": "openai"|"anthropic"|"openai-compatible"|"suna"|"agent-api"|"whatsapp"|"z-api"|"evolution","qualification_status": "pending"|"approved"|"rejected","share_permission": "use"|"edit","stage_actor_kind": "agent"|"person"|"rule","step_status": "pending"|"ready"|"running"|"waiting_approval"|"succeeded"|"failed"|"skipped"|"cancelled","team_agent_role": "leader"|"member"|"coordinator","tenant_capability": "change_tenant"|"delete_tenant"|"manage_members"|"manage_owners"|"read_audit_log"|"build_agents"|"delete_agents"|"share_agents"|"share_keys"|"build_teams"|"delete_teams"|"run_teams"|"manage_inboxes"|"handle_conversations"|"manage_knowledge"|"manage_tools"|"manage_analytics","tenant_plan": "basic"|"pro"|"enterprise","tenant_status": "active"|"inactive"|"suspended","webhook_event_status": "pending"|"processed"|"ignored"|"failed","workflow_type": "sequential"|"parallel"|"pipeline"|"conditional"
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            "admin_command": ["suspend_company", "reactivate_company", "resend_interview_invitation", "cancel_interview", "close_conversation", "export_contact", "erase_contact"],"agent_provider": ["openai-compatible", "anthropic", "suna", "agent-api", "demo"],"agent_status": ["draft", "active", "archived"],"agent_type": ["sdr", "copilot", "custom", "sub_agent"],"contact_status": ["active", "inactive", "blocked"],"conversation_assignee": ["bot", "member", "unassigned"],"conversation_status": ["open", "pending", "closed"],"document_change": ["created", "replaced", "reingested"],"document_source": ["upload", "url", "text"],"document_status": ["pending", "processing", "ready", "failed"],"execution_status": ["pending", "running", "waiting_approval", "completed", "failed", "cancelled"],"inbox_provider": ["meta_cloud", "zapi", "evolution"],"inbox_secret_kind": ["meta_app_secret", "meta_verify_token", "meta_access_token", "zapi_instance_token", "zapi_client_token", "evolution_api_key"],"inbox_status": ["active", "disabled"],"interview_status": ["pending", "invited", "in_progress", "completed", "cancelled", "expired"],"knowledge_embedder": ["lexical", "openai_compatible", "gte_small"],"knowledge_language": ["portuguese", "english", "spanish", "simple"],"lifecycle_stage": ["lead", "qualified", "customer", "lost"],"member_role": ["owner", "admin", "member", "analyst"],"message_channel": ["whatsapp", "sms", "email"],"message_direction": ["in", "out"],"message_role": ["user", "assistant", "human", "system"],"message_status": ["received", "queued", "sent", "delivered", "read", "failed"],"message_template_status": ["approved", "pending", "rejected", "paused", "disabled"],"message_type": ["text", "image", "audio", "video", "document", "location", "reaction", "interactive", "unknown"],"notification_channel": ["whatsapp", "sms", "email"],"notification_event": ["handoff_requested", "dead_letter", "budget_80", "approval_requested", "project_finished"],"notification_status": ["pending", "sending", "sent", "dead"],"project_status": ["draft", "active", "paused", "completed"],"project_type": ["survey", "campaign", "support"],"provider_key_service": ["openai", "anthropic", "openai-compatible", "suna", "agent-api", "whatsapp", "z-api", "evolution"],"qualification_status": ["pending", "approved", "rejected"],"share_permission": ["use", "edit"],"stage_actor_kind": ["agent", "person", "rule"],"step_status": ["pending", "ready", "running", "waiting_approval", "succeeded", "failed", "skipped", "cancelled"],"team_agent_role": ["leader", "member", "coordinator"],"tenant_capability": ["change_tenant", "delete_tenant", "manage_members", "manage_owners", "read_audit_log", "build_agents", "delete_agents", "share_agents", "share_keys", "build_teams", "delete_teams", "run_teams", "manage_inboxes", "handle_conversations", "manage_knowledge", "manage_tools", "manage_analytics"],"tenant_plan": ["basic", "pro", "enterprise"],"tenant_status": ["active", "inactive", "suspended"],"webhook_event_status": ["pending", "processed", "ignored", "failed"],"workflow_type": ["sequential", "parallel", "pipeline", "conditional"]
          }
        }
} as const
