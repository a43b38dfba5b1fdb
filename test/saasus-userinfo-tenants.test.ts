import { describe, expect, it } from 'vitest';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, server, provider } = useFakeSaasus();

const TENANTS = [
  {
    id: 'tenant-1',
    name: 'Acme',
    completed_sign_up: true,
    back_office_staff_email: 'staff@example.com',
    user_attribute: { department: 'sales' },
    envs: [
      { id: 3, name: 'prod', display_name: 'Production', roles: [{ role_name: 'admin', display_name: 'Admin' }] },
      { id: 1, name: 'dev', display_name: 'Development', roles: [] },
    ],
  },
];

describe('getUserInfo gives the app what the official front end reads', () => {
  it('tenants with envs and roles exactly as SaaSus sends them', async () => {
    const user = fake.addUser({ tenants: TENANTS });
    const info = await provider().getUserInfo(user.idToken);
    expect(info.tenants).toEqual(TENANTS);
    expect(info.tenants[0]?.envs[0]?.roles[0]?.role_name).toBe('admin');
    expect(info.tenants[0]?.id).toBe('tenant-1');
  });

  it('a tenant without envs, an env without roles, or a non-object entry never makes the front-end path throw', async () => {
    const { http, HttpResponse } = await import('msw');
    const user = fake.addUser();
    server.use(
      http.get(`${fake.baseUrl}/v1/auth/userinfo`, () =>
        HttpResponse.json({
          id: user.id,
          email: user.email,
          tenants: [{ id: 't', name: 'n' }, 'junk', { id: 'u', name: 'm', envs: [{ id: 1, name: 'e' }, 7] }],
        }),
      ),
    );
    const info = await provider().getUserInfo(user.idToken);
    expect(info.tenants).toEqual([
      { id: 't', name: 'n', envs: [] },
      { id: 'u', name: 'm', envs: [{ id: 1, name: 'e', roles: [] }] },
    ]);
    expect(info.tenants[0]?.envs[0]?.roles[0]?.role_name).toBeUndefined();
  });
});
