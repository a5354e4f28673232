import { z } from 'zod';
import { ROLES, type Role } from './db/schema.ts';

/**
 * Identity providers staff sign in with (OpenID Connect): the first from `OIDC_*`, more from
 * `OIDC_2_*` … `OIDC_9_*`. Each names its issuer, this service's client id and secret there, what
 * the button says, and the email domains it serves; roles may follow the provider's groups.
 */
export interface OidcProviderConfig {
  /** In URLs and records: "1" for `OIDC_*`, "2" for `OIDC_2_*`, … */
  id: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** "Sign in with {name}". */
  name: string;
  /** Lower-case domains whose addresses this provider vouches for; `*` for any. */
  domains: string[];
  /** The ID token's claim that says the address is the person's: `email_verified`, or Entra ID's `xms_edov`. */
  emailVerifiedClaim: string;
  /** When set, each sign-in sets the person's role from this claim (the highest role whose groups they are in). */
  roleGroups: { claim: string; groups: Partial<Record<Exclude<Role, 'participant'>, string[]>> } | undefined;
}

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const loopback = (u: URL) => u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';

// Entra ID's shared issuers accept an account from any organisation's tenant, not just yours.
const multiTenant = (u: URL) => u.hostname === 'login.microsoftonline.com' && /^\/(common|organizations|consumers)(\/|$)/i.test(u.pathname);

const providerSchema = z.object({
  ISSUER: z
    .url({ error: 'must be the provider’s issuer URL, such as https://login.microsoftonline.com/{tenant}/v2.0' })
    .refine((v) => {
      const u = new URL(v);
      return u.protocol === 'https:' || (u.protocol === 'http:' && loopback(u));
    }, 'must use https (plain http only on this machine, for testing)')
    .refine(
      (v) => !multiTenant(new URL(v)),
      'must be your own tenant’s issuer (https://login.microsoftonline.com/<tenant id>/v2.0), not common or organizations, which admit any organisation’s accounts',
    ),
  CLIENT_ID: z.string({ error: 'must be set: the client (application) id the provider gave this service' }).min(1),
  CLIENT_SECRET: z.string({ error: 'must be set: the client secret the provider gave this service' }).min(1),
  NAME: z.string().min(1).max(60).default('your organisation account'),
  EMAIL_VERIFIED_CLAIM: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of a claim, such as email_verified or xms_edov')
    .default('email_verified'),
  DOMAINS: z
    .string({ error: 'must list the email domains this provider serves, such as nhs.net,leeds.gov.uk (or * for any)' })
    .transform((v) => list(v.toLowerCase()))
    .refine(
      (d) => d.length > 0 && d.every((x) => x === '*' || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(x)),
      'must be domains such as nhs.net,leeds.gov.uk, or *',
    ),
  GROUPS_CLAIM: z.string().min(1).optional(),
  ADMIN_GROUPS: z.string().transform(list).optional(),
  STAFF_GROUPS: z.string().transform(list).optional(),
  FACILITATOR_GROUPS: z.string().transform(list).optional(),
});

const FIELDS = Object.keys(providerSchema.shape);

export function parseOidcProviders(env: Record<string, string>): { providers: OidcProviderConfig[]; issues: string[] } {
  const providers: OidcProviderConfig[] = [];
  const issues: string[] = [];
  for (let n = 1; n <= 9; n++) {
    const prefix = n === 1 ? 'OIDC_' : `OIDC_${n}_`;
    const given = Object.fromEntries(FIELDS.filter((f) => env[prefix + f] !== undefined).map((f) => [f, env[prefix + f]]));
    if (Object.keys(given).length === 0) continue;
    const parsed = providerSchema.safeParse(given);
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push(`  ${prefix}${i.path.join('.')}: ${i.message}`);
      continue;
    }
    const p = parsed.data;
    const groups = { admin: p.ADMIN_GROUPS, staff: p.STAFF_GROUPS, facilitator: p.FACILITATOR_GROUPS };
    const anyGroups = Object.values(groups).some((g) => g?.length);
    if (anyGroups !== !!p.GROUPS_CLAIM) {
      issues.push(
        `  ${prefix}GROUPS_CLAIM: set it together with ${prefix}ADMIN_GROUPS, ${prefix}STAFF_GROUPS or ${prefix}FACILITATOR_GROUPS, or neither`,
      );
      continue;
    }
    providers.push({
      id: String(n),
      issuer: p.ISSUER,
      clientId: p.CLIENT_ID,
      clientSecret: p.CLIENT_SECRET,
      name: p.NAME,
      domains: p.DOMAINS,
      emailVerifiedClaim: p.EMAIL_VERIFIED_CLAIM,
      roleGroups: p.GROUPS_CLAIM ? { claim: p.GROUPS_CLAIM, groups } : undefined,
    });
  }
  // One provider per issuer and per domain: otherwise which one an address goes to (and whether
  // its groups set the role) would depend on the button pressed.
  for (const [i, p] of providers.entries()) {
    const prefix = p.id === '1' ? 'OIDC_' : `OIDC_${p.id}_`;
    const earlier = providers.slice(0, i);
    const sameIssuer = earlier.find((q) => q.issuer.replace(/\/$/, '') === p.issuer.replace(/\/$/, ''));
    if (sameIssuer) issues.push(`  ${prefix}ISSUER: the same provider is already set up as provider ${sameIssuer.id}`);
    for (const d of p.domains) {
      const other = earlier.find((q) => q.domains.includes(d));
      if (other) issues.push(`  ${prefix}DOMAINS: ${d} is already served by provider ${other.id}; a domain goes to one provider`);
    }
  }
  return { providers, issues };
}

/** The role a provider's groups give, or undefined when it does not manage roles. */
export function roleFromGroups(provider: OidcProviderConfig, claims: Record<string, unknown>): Role | undefined {
  if (!provider.roleGroups) return undefined;
  // Too many groups to list (Entra ID then names where to fetch them instead): we cannot tell,
  // so the role is left as it is. A claim simply absent means no groups: participant.
  const elsewhere = claims._claim_names as Record<string, unknown> | undefined;
  if (elsewhere && typeof elsewhere === 'object' && provider.roleGroups.claim in elsewhere) return undefined;
  const value = claims[provider.roleGroups.claim];
  const held = new Set(Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);
  // ROLES runs from highest to lowest.
  for (const role of ROLES) {
    if (role === 'participant') break;
    if (provider.roleGroups.groups[role]?.some((g) => held.has(g))) return role;
  }
  return 'participant';
}
