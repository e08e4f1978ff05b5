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
