
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "agent_shares": {
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
                },"invitations": {
                  Row: {
                    "accepted_at": string | null,"accepted_by": string | null,"created_at": string,"email": string,"expires_at": string,"id": string,"invited_by": string | null,"role": Database["public"]['Enums']["member_role"],"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"email": string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"role"?: Database["public"]['Enums']["member_role"],"tenant_id": string
                  }
                  Update: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"email"?: string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"role"?: Database["public"]['Enums']["member_role"],"tenant_id"?: string
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
                    "created_at": string,"encrypted_key": string,"id": string,"is_active": boolean,"key_last_four": string,"key_version": number,"last_used_at": string | null,"service": string,"tenant_id": string | null,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"encrypted_key": string,"id"?: string,"is_active"?: boolean,"key_last_four": string,"key_version": number,"last_used_at"?: string | null,"service": string,"tenant_id"?: string | null,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"encrypted_key"?: string,"id"?: string,"is_active"?: boolean,"key_last_four"?: string,"key_version"?: number,"last_used_at"?: string | null,"service"?: string,"tenant_id"?: string | null,"updated_at"?: string,"user_id"?: string
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
                },"tenants": {
                  Row: {
                    "agents_endpoint_url": string | null,"agents_timeout_ms": number,"created_at": string,"created_by": string | null,"default_agent_type": string,"id": string,"name": string,"plan": Database["public"]['Enums']["tenant_plan"],"rag_enabled": boolean,"rag_top_k": number,"slug": string,"status": Database["public"]['Enums']["tenant_status"],"tax_id": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agents_endpoint_url"?: string | null,"agents_timeout_ms"?: number,"created_at"?: string,"created_by"?: string | null,"default_agent_type"?: string,"id"?: string,"name": string,"plan"?: Database["public"]['Enums']["tenant_plan"],"rag_enabled"?: boolean,"rag_top_k"?: number,"slug": string,"status"?: Database["public"]['Enums']["tenant_status"],"tax_id"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "agents_endpoint_url"?: string | null,"agents_timeout_ms"?: number,"created_at"?: string,"created_by"?: string | null,"default_agent_type"?: string,"id"?: string,"name"?: string,"plan"?: Database["public"]['Enums']["tenant_plan"],"rag_enabled"?: boolean,"rag_top_k"?: number,"slug"?: string,"status"?: Database["public"]['Enums']["tenant_status"],"tax_id"?: string | null,"updated_at"?: string
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
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "accept_invitation":
{ Args: { "invitation_id": string }; Returns: {
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
"list_my_invitations":
{ Args: Record<PropertyKey, never>; Returns: {
              "created_at": string,"expires_at": string,"id": string,"invited_by_email": string,"role": Database["public"]['Enums']["member_role"],"tenant_id": string,"tenant_name": string,"tenant_slug": string
            }[]
                           },
"resolve_share_grantee":
{ Args: { "grantee_email"?: string,"grantee_tenant_id"?: string,"grantee_tenant_slug"?: string,"target_agent_id": string }; Returns: {
              "tenant_id": string,"user_id": string
            }[]
                           },
"set_provider_key":
{ Args: { "api_key": string,"for_service": string,"for_tenant_id"?: string }; Returns: {
              "created_at": string,"id": string,"is_active": boolean,"key_last_four": string,"last_used_at": string,"service": string,"tenant_id": string,"updated_at": string
            }[]
                           },
"share_grantee":
{ Args: { "share_id": string }; Returns: {
              "email": string,"tenant_name": string,"tenant_slug": string
            }[]
                           }
          }
          Enums: {
            "agent_provider": "openai-compatible"|"anthropic"|"suna"|"agent-api"|"demo","agent_status": "draft"|"active"|"archived","agent_type": "sdr"|"copilot"|"custom"|"sub_agent","member_role": "owner"|"admin"|"member"|"analyst","share_permission": "use"|"edit","tenant_plan": "basic"|"pro"|"enterprise","tenant_status": "active"|"inactive"|"suspended"
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
            "agent_provider": ["openai-compatible", "anthropic", "suna", "agent-api", "demo"],"agent_status": ["draft", "active", "archived"],"agent_type": ["sdr", "copilot", "custom", "sub_agent"],"member_role": ["owner", "admin", "member", "analyst"],"share_permission": ["use", "edit"],"tenant_plan": ["basic", "pro", "enterprise"],"tenant_status": ["active", "inactive", "suspended"]
          }
        }
} as const
