// A real OAuth 2.1 authorization server for the e2e tests: the `oidc-provider` package on
// loopback, with one client_credentials client and kommo-mcp as a resource server (a
// resource indicator whose access tokens are JWTs for its public URL, scopes kommo:read and
// kommo:write), signing with the private JWK the test hands it.
//
// Usage: node oidc_issuer.mjs PORT AUDIENCE KEYS_JSON  (prints "ready" on stdout once listening)
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [port, audience, keysPath] = process.argv.slice(2);
const providerPath = process.env.OIDC_PROVIDER_MODULE;
const { default: Provider } = await import(pathToFileURL(providerPath).href);
const jwks = JSON.parse(readFileSync(keysPath, 'utf8'));

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  jwks,
  clients: [
    {
      client_id: 'e2e-platform',
      client_secret: 'e2e-platform-secret-never-print-me',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    },
  ],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator) => {
        if (resourceIndicator !== audience) {
          throw new Error(`unknown resource ${resourceIndicator}`);
        }
        return {
          scope: 'kommo:read kommo:write',
          audience,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
});
provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
