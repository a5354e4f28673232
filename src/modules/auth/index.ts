import type { RegisterModule } from '../module.ts';
import { authRoutes } from './auth-routes.ts';

/** Signing in by emailed link or with an organisation's account (OpenID Connect), and out. */
export const authModule: RegisterModule = (app, { config, services, session }) => {
  authRoutes(app, {
    auth: services.auth,
    session,
    demo: config.demo,
    smtp: !!config.smtpUrl,
    linkMinutes: config.signIn.linkMinutes,
    mailIsFailing: services.email.mailIsFailing,
    oidc: services.oidc,
    secure: config.publicUrl.startsWith('https://'),
    publicUrl: config.publicUrl,
    limitPerMinute: config.publicPostLimitPerMinute,
  });
};
