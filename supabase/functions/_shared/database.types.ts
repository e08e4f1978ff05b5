
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "agent_provider_key_services": {
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
                    "agent_definition": NonNullable<Json>,"agent_id": string | null,"agent_version": number,"attempt_count": number,"conditions": NonNullable<Json>,"cost_usd": number,"created_at": string,"error_message": string | null,"execution_id": string,"finished_at": string | null,"id": string,"input_spec": NonNullable<Json>,"input_tokens": number,"latency_ms": number | null,"lease_expires_at": string | null,"lease_owner": string | null,"max_attempts": number,"next_attempt_at": string | null,"output": string | null,"output_tokens": number,"overrides": NonNullable<Json>,"position": number,"resolved_input": string | null,"role": Database["public"]['Enums']["team_agent_role"],"skip_reason": string | null,"started_at": string | null,"status": Database["public"]['Enums']["step_status"],"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_definition": NonNullable<Json>,"agent_id"?: string | null,"agent_version": number,"attempt_count"?: number,"conditions": NonNullable<Json>,"cost_usd"?: number,"created_at"?: string,"error_message"?: string | null,"execution_id": string,"finished_at"?: string | null,"id"?: string,"input_spec": NonNullable<Json>,"input_tokens"?: number,"latency_ms"?: number | null,"lease_expires_at"?: string | null,"lease_owner"?: string | null,"max_attempts"?: number,"next_attempt_at"?: string | null,"output"?: string | null,"output_tokens"?: number,"overrides": NonNullable<Json>,"position": number,"resolved_input"?: string | null,"role": Database["public"]['Enums']["team_agent_role"],"skip_reason"?: string | null,"started_at"?: string | null,"status"?: Database["public"]['Enums']["step_status"],"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "agent_definition"?: NonNullable<Json>,"agent_id"?: string | null,"agent_version"?: number,"attempt_count"?: number,"conditions"?: NonNullable<Json>,"cost_usd"?: number,"created_at"?: string,"error_message"?: string | null,"execution_id"?: string,"finished_at"?: string | null,"id"?: string,"input_spec"?: NonNullable<Json>,"input_tokens"?: number,"latency_ms"?: number | null,"lease_expires_at"?: string | null,"lease_owner"?: string | null,"max_attempts"?: number,"next_attempt_at"?: string | null,"output"?: string | null,"output_tokens"?: number,"overrides"?: NonNullable<Json>,"position"?: number,"resolved_input"?: string | null,"role"?: Database["public"]['Enums']["team_agent_role"],"skip_reason"?: string | null,"started_at"?: string | null,"status"?: Database["public"]['Enums']["step_status"],"tenant_id"?: string,"updated_at"?: string
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
                    "cancel_requested_at": string | null,"cost_usd": number,"created_at": string,"created_by": string | null,"deadline_at": string | null,"error_message": string | null,"final_result": Json | null,"finished_at": string | null,"finished_steps": number,"id": string,"initial_prompt": string,"input_tokens": number,"last_event_seq": number,"output_tokens": number,"shared_context": NonNullable<Json>,"started_at": string | null,"status": Database["public"]['Enums']["execution_status"],"team_config": NonNullable<Json>,"team_id": string | null,"tenant_id": string,"total_steps": number,"updated_at": string,"variables": NonNullable<Json>,"workflow_type": Database["public"]['Enums']["workflow_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "cancel_requested_at"?: string | null,"cost_usd"?: number,"created_at"?: string,"created_by"?: string | null,"deadline_at"?: string | null,"error_message"?: string | null,"final_result"?: Json | null,"finished_at"?: string | null,"finished_steps"?: number,"id"?: string,"initial_prompt": string,"input_tokens"?: number,"last_event_seq"?: number,"output_tokens"?: number,"shared_context"?: NonNullable<Json>,"started_at"?: string | null,"status"?: Database["public"]['Enums']["execution_status"],"team_config": NonNullable<Json>,"team_id"?: string | null,"tenant_id": string,"total_steps"?: number,"updated_at"?: string,"variables"?: NonNullable<Json>,"workflow_type": Database["public"]['Enums']["workflow_type"]
                  }
                  Update: {
                    "cancel_requested_at"?: string | null,"cost_usd"?: number,"created_at"?: string,"created_by"?: string | null,"deadline_at"?: string | null,"error_message"?: string | null,"final_result"?: Json | null,"finished_at"?: string | null,"finished_steps"?: number,"id"?: string,"initial_prompt"?: string,"input_tokens"?: number,"last_event_seq"?: number,"output_tokens"?: number,"shared_context"?: NonNullable<Json>,"started_at"?: string | null,"status"?: Database["public"]['Enums']["execution_status"],"team_config"?: NonNullable<Json>,"team_id"?: string | null,"tenant_id"?: string,"total_steps"?: number,"updated_at"?: string,"variables"?: NonNullable<Json>,"workflow_type"?: Database["public"]['Enums']["workflow_type"]
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
                },"tenants": {
                  Row: {
                    "agents_endpoint_url": string | null,"agents_timeout_ms": number,"created_at": string,"created_by": string | null,"default_agent_type": string,"id": string,"monthly_budget_usd": number | null,"name": string,"plan": Database["public"]['Enums']["tenant_plan"],"rag_enabled": boolean,"rag_top_k": number,"slug": string,"status": Database["public"]['Enums']["tenant_status"],"tax_id": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agents_endpoint_url"?: string | null,"agents_timeout_ms"?: number,"created_at"?: string,"created_by"?: string | null,"default_agent_type"?: string,"id"?: string,"monthly_budget_usd"?: number | null,"name": string,"plan"?: Database["public"]['Enums']["tenant_plan"],"rag_enabled"?: boolean,"rag_top_k"?: number,"slug": string,"status"?: Database["public"]['Enums']["tenant_status"],"tax_id"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "agents_endpoint_url"?: string | null,"agents_timeout_ms"?: number,"created_at"?: string,"created_by"?: string | null,"default_agent_type"?: string,"id"?: string,"monthly_budget_usd"?: number | null,"name"?: string,"plan"?: Database["public"]['Enums']["tenant_plan"],"rag_enabled"?: boolean,"rag_top_k"?: number,"slug"?: string,"status"?: Database["public"]['Enums']["tenant_status"],"tax_id"?: string | null,"updated_at"?: string
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
"id": string,
"monthly_budget_usd": number | null,
"name": string,
"plan": Database["public"]['Enums']["tenant_plan"],
"rag_enabled": boolean,
"rag_top_k": number,
"slug": string,
"status": Database["public"]['Enums']["tenant_status"],
"tax_id": string | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "tenants"
        isOneToOne: true
        isSetofReturn: false
      } },
"create_tenant":
{ Args: { "agents_endpoint_url"?: string,"name": string,"slug": string,"tax_id"?: string }; Returns: {
              "agents_endpoint_url": string | null,
"agents_timeout_ms": number,
"created_at": string,
"created_by": string | null,
"default_agent_type": string,
"id": string,
"monthly_budget_usd": number | null,
"name": string,
"plan": Database["public"]['Enums']["tenant_plan"],
"rag_enabled": boolean,
"rag_top_k": number,
"slug": string,
"status": Database["public"]['Enums']["tenant_status"],
"tax_id": string | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "tenants"
        isOneToOne: true
        isSetofReturn: false
      } },
"decline_invitation":
{ Args: { "invitation_id": string,"token": string }; Returns: undefined
                           },
"issue_invitation_token":
{ Args: { "invitation_id": string }; Returns: string
                           },
"list_my_invitations":
{ Args: Record<PropertyKey, never>; Returns: {
              "created_at": string,"expires_at": string,"id": string,"invited_by_email": string,"role": Database["public"]['Enums']["member_role"],"tenant_id": string,"tenant_name": string,"tenant_slug": string
            }[]
                           },
"my_capabilities":
{ Args: { "target_tenant_id": string }; Returns: (Database["public"]['Enums']["tenant_capability"])[]
                           },
"read_invitation":
{ Args: { "invitation_id": string,"token": string }; Returns: {
              "email": string,"expires_at": string,"id": string,"invited_by_email": string,"role": Database["public"]['Enums']["member_role"],"status": string,"tenant_id": string,"tenant_name": string
            }[]
                           },
"resolve_share_grantee":
{ Args: { "grantee_email"?: string,"grantee_tenant_id"?: string,"grantee_tenant_slug"?: string,"target_agent_id": string }; Returns: {
              "tenant_id": string,"user_id": string
            }[]
                           },
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
"share_grantee":
{ Args: { "share_id": string }; Returns: {
              "email": string,"tenant_name": string,"tenant_slug": string
            }[]
                           },
"start_execution":
{ Args: { "initial_prompt": string,"target_team_id": string,"variables"?: Json }; Returns: {
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
      } }
          }
          Enums: {
            "agent_provider": "openai-compatible"|"anthropic"|"suna"|"agent-api"|"demo","agent_status": "draft"|"active"|"archived","agent_type": "sdr"|"copilot"|"custom"|"sub_agent","execution_status": "pending"|"running"|"completed"|"failed"|"cancelled","member_role": "owner"|"admin"|"member"|"analyst","provider_key_service": "openai"|"anthropic"|"openai-compatible"|"suna"|"agent-api"|"whatsapp"|"z-api"|"evolution","share_permission": "use"|"edit","step_status": "pending"|"ready"|"running"|"succeeded"|"failed"|"skipped"|"cancelled","team_agent_role": "leader"|"member"|"coordinator","tenant_capability": "change_tenant"|"delete_tenant"|"manage_members"|"manage_owners"|"read_audit_log"|"build_agents"|"delete_agents"|"share_agents"|"share_keys"|"build_teams"|"delete_teams"|"run_teams","tenant_plan": "basic"|"pro"|"enterprise","tenant_status": "active"|"inactive"|"suspended","workflow_type": "sequential"|"parallel"|"pipeline"|"conditional"
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
            "agent_provider": ["openai-compatible", "anthropic", "suna", "agent-api", "demo"],"agent_status": ["draft", "active", "archived"],"agent_type": ["sdr", "copilot", "custom", "sub_agent"],"execution_status": ["pending", "running", "completed", "failed", "cancelled"],"member_role": ["owner", "admin", "member", "analyst"],"provider_key_service": ["openai", "anthropic", "openai-compatible", "suna", "agent-api", "whatsapp", "z-api", "evolution"],"share_permission": ["use", "edit"],"step_status": ["pending", "ready", "running", "succeeded", "failed", "skipped", "cancelled"],"team_agent_role": ["leader", "member", "coordinator"],"tenant_capability": ["change_tenant", "delete_tenant", "manage_members", "manage_owners", "read_audit_log", "build_agents", "delete_agents", "share_agents", "share_keys", "build_teams", "delete_teams", "run_teams"],"tenant_plan": ["basic", "pro", "enterprise"],"tenant_status": ["active", "inactive", "suspended"],"workflow_type": ["sequential", "parallel", "pipeline", "conditional"]
          }
        }
} as const
