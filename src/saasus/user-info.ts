import type { MfaUser } from '../types.js';

/** A role in one environment of a tenant, as SaaSus sends it. The official front end routes by `role_name`. */
export interface SaasusRole {
  /** The role's identifier (the sample front end knows `sadmin` and `admin`; any other is a plain user). */
  role_name: string;
  /** The role's name for people. */
  display_name: string;
  [field: string]: unknown;
}

/** An environment of a tenant (SaaSus numbers them: 1, 2, 3 …) with the user's roles there. */
export interface SaasusEnv {
  /** The environment's number within the SaaS. */
  id: number;
  /** The environment's identifier. */
  name: string;
  /** The environment's name for people. */
  display_name: string;
  /** The user's roles in this environment; an empty list when SaaSus sent none. */
  roles: SaasusRole[];
  [field: string]: unknown;
}

/**
 * A tenant the user belongs to, as `/userinfo` sends it (snake_case, untouched). The official front end reads
 * `tenants[0].id` and `tenants[0].envs[0].roles[0].role_name`.
 */
export interface SaasusTenant {
  /** The tenant's SaaSus id; the sample front end passes it on as `tenant_id`. */
  id: string;
  /** The tenant's name. */
  name: string;
  /** SaaSus's sign-up completion flag for this tenant, when sent. */
  completed_sign_up?: boolean;
  /** The tenant's environments with the user's roles there; an empty list when SaaSus sent none. */
  envs: SaasusEnv[];
  /** The user's attribute values in this tenant, as SaaSus sends them, when sent. */
  user_attribute?: Record<string, unknown>;
  [field: string]: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The tenants of a `/userinfo` answer, kept as SaaSus sent them, except that an entry that is not an object is
 * dropped and a missing `envs` or `roles` list becomes empty, so `tenants[0].envs[0].roles[0]` never throws on a
 * list that is not there.
 */
export function tenantsFrom(value: unknown): SaasusTenant[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((tenant) => ({
    ...tenant,
    envs: (Array.isArray(tenant.envs) ? tenant.envs : []).filter(isObject).map((env) => ({
      ...env,
      roles: (Array.isArray(env.roles) ? env.roles : []).filter(isObject),
    })),
  })) as SaasusTenant[];
}

/** A SaaSus user as `/userinfo` describes them, in the SDK's naming. Usable directly as an `MfaUser`. */
export interface SaasusUserInfo extends MfaUser {
  /** The SaaSus user id (a UUID, never empty): the `id` the MFA calls take. */
  id: string;
  email: string;
  /** SaaSus's `sign_in_id`; an empty string when the answer had none. */
  signInId: string;
  /** As SaaSus sends them: `tenants[0].id`, `tenants[0].envs[0].roles[0].role_name` are what the front end reads. */
  tenants: SaasusTenant[];
  /** SaaSus's `user_attribute` (the SaaS's custom user attributes); `{}` when the answer had none. */
  attributes: Record<string, unknown>;
}

/** A `/userinfo` answer in the SDK's naming; undefined when it names no user (the caller says "unexpected body"). */
export function userInfoFrom(body: unknown): SaasusUserInfo | undefined {
  if (!isObject(body) || typeof body.id !== 'string' || body.id === '') return undefined;
  return {
    id: body.id,
    email: typeof body.email === 'string' ? body.email : '',
    signInId: typeof body.sign_in_id === 'string' ? body.sign_in_id : '',
    tenants: tenantsFrom(body.tenants),
    attributes: isObject(body.user_attribute) ? body.user_attribute : {},
  };
}
