// An OpenID provider for the login tests, configured like ID-porten: PKCE (S256) required,
// acr values idporten-loa-substantial/high, the pid claim, RP-initiated logout.
// The tests log in by posting to /interaction/:uid/login with the identity to use.
//
// Environment: REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, CLIENT_AUTH (secret | jwt),
// CLIENT_SECRET, CLIENT_JWKS (JSON, for jwt). Prints "listening <port>" once ready.
import { createServer } from 'node:http';

// The provider's notes about its development defaults (memory adapter, generated keys) are
// expected here and would drown the test output.
const warn = console.warn;
console.warn = (...args) => { if (!String(args[0]).startsWith('oidc-provider')) warn(...args); };
console.info = () => {};

// Imported after the filter above, which must be in place before the module loads.
const { default: Provider } = await import('oidc-provider');

const accounts = new Map();
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const client = {
  client_id: 'melding',
  redirect_uris: [process.env.REDIRECT_URI],
  post_logout_redirect_uris: [process.env.POST_LOGOUT_REDIRECT_URI],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  id_token_signed_response_alg: 'RS256',
};
if (process.env.CLIENT_AUTH === 'jwt') {
  client.token_endpoint_auth_method = 'private_key_jwt';
  client.token_endpoint_auth_signing_alg = 'RS256';
  client.jwks = { keys: JSON.parse(process.env.CLIENT_JWKS) };
} else {
  client.token_endpoint_auth_method = 'client_secret_post';
  client.client_secret = process.env.CLIENT_SECRET;
}

const provider = new Provider(issuer, {
  ttl: {
    Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600,
  },
  clients: [client],
  pkce: { required: () => true },
  acrValues: ['idporten-loa-substantial', 'idporten-loa-high'],
  claims: { openid: ['sub', 'pid', 'sid', 'locale', 'name'] },
  conformIdTokenClaims: false,
  scopes: ['openid', 'profile'],
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...(accounts.get(id) || {}) }),
  }),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
});
provider.proxy = false;

// The scripted login: finishes the interaction with the identity, level and session id given.
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.body = { uid: details.uid, prompt: details.prompt.name, acr_values: details.params.acr_values };
    return;
  }
  const body = await new Promise((resolve) => {
    let data = '';
    ctx.req.on('data', (chunk) => { data += chunk; });
    ctx.req.on('end', () => resolve(new URLSearchParams(data)));
  });
  const pid = body.get('pid');
  accounts.set(pid, { pid, sid: body.get('sid'), locale: 'nb', ...(body.get('name') ? { name: body.get('name') } : {}) });
  const grant = new provider.Grant({ accountId: pid, clientId: details.params.client_id });
  grant.addOIDCScope('openid profile');
  const grantId = await grant.save();
  const target = await provider.interactionResult(ctx.req, ctx.res, {
    login: { accountId: pid, acr: body.get('acr'), amr: ['TestID'] },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(target);
});

server.on('request', provider.callback());
console.log(`listening ${port}`);
