-- Demo data for `npm start`: one user who can sign in at once.
-- Sign in as demo@renum.dev with the password renum-demo (printed by `npm start`).
-- The password is bcrypt-hashed the way Supabase Auth stores it.

insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
) values (
  '00000000-0000-0000-0000-000000000000', 'd0d0d0d0-0000-4000-8000-000000000001', 'authenticated', 'authenticated',
  'demo@renum.dev', extensions.crypt('renum-demo', extensions.gen_salt('bf')), now(),
  '{"provider": "email", "providers": ["email"]}', '{"full_name": "Demo Renum"}', now(), now()
) on conflict (id) do nothing;

insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
values (
  'd0d0d0d0-0000-4000-8000-000000000002', 'd0d0d0d0-0000-4000-8000-000000000001', 'd0d0d0d0-0000-4000-8000-000000000001',
  '{"sub": "d0d0d0d0-0000-4000-8000-000000000001", "email": "demo@renum.dev", "email_verified": true}',
  'email', now(), now(), now()
) on conflict (provider_id, provider) do nothing;

-- The demo company, owned by the demo user, with two agents on the demo provider.
insert into public.tenants (id, name, slug, plan, tax_id, created_by)
values ('d0d0d0d0-0000-4000-8000-0000000000a1', 'Renum Demo Ltda', 'renum-demo', 'pro', '11222333000181', 'd0d0d0d0-0000-4000-8000-000000000001')
on conflict (id) do nothing;

insert into public.memberships (tenant_id, user_id, role)
values ('d0d0d0d0-0000-4000-8000-0000000000a1', 'd0d0d0d0-0000-4000-8000-000000000001', 'owner')
on conflict (tenant_id, user_id) do nothing;

insert into public.agents (id, tenant_id, name, description, type, provider, model, system_prompt, status, created_by) values
  ('d0d0d0d0-0000-4000-8000-0000000000b1', 'd0d0d0d0-0000-4000-8000-0000000000a1', 'Ana (SDR)',
   'Qualifica leads que chegam pelo WhatsApp.', 'sdr', 'demo', 'demo-small',
   'Você é Ana, SDR da Renum. Faça perguntas curtas para qualificar o lead.', 'active', 'd0d0d0d0-0000-4000-8000-000000000001'),
  ('d0d0d0d0-0000-4000-8000-0000000000b2', 'd0d0d0d0-0000-4000-8000-0000000000a1', 'Caio (Copiloto)',
   'Resume a conversa e sugere o próximo passo ao vendedor.', 'copilot', 'demo', 'demo-small',
   'Você é Caio, copiloto de vendas. Resuma e proponha o próximo passo.', 'active', 'd0d0d0d0-0000-4000-8000-000000000001')
on conflict (id) do nothing;

-- A demo team that runs with no provider keys: Ana qualifies the lead, Caio turns her notes into
-- the next step (a pipeline: each output feeds the next).
insert into public.teams (id, tenant_id, name, description, workflow_type, timeout_seconds, created_by)
values ('d0d0d0d0-0000-4000-8000-0000000000c1', 'd0d0d0d0-0000-4000-8000-0000000000a1', 'Qualificação de leads',
        'Ana qualifica o lead e Caio propõe o próximo passo.', 'pipeline', 300, 'd0d0d0d0-0000-4000-8000-000000000001')
on conflict (id) do nothing;

insert into public.team_agents (team_id, agent_id, role, execution_order, input) values
  ('d0d0d0d0-0000-4000-8000-0000000000c1', 'd0d0d0d0-0000-4000-8000-0000000000b1', 'member', 1, '{"source": "initial_prompt"}'),
  ('d0d0d0d0-0000-4000-8000-0000000000c1', 'd0d0d0d0-0000-4000-8000-0000000000b2', 'leader', 2, '{"source": "agent_result", "agent_id": "d0d0d0d0-0000-4000-8000-0000000000b1"}')
on conflict (team_id, agent_id) do nothing;
