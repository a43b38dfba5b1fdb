import { describe, expect, it } from 'vitest';
import { saasusAuthorization, saasusSignature, saasusTimestamp, signedUrl } from '../src/saasus/signer.js';
import { parseSaasusAuthorization } from '../src/saasus/signer.js';

// Test vectors from saasus-api.md: secret `test-secret`, API key `test-api-key`, T = 202501021504.
const vector = { secretKey: 'test-secret', apiKey: 'test-api-key', timestamp: '202501021504' };

describe('SAASUSSIGV1 request signature', () => {
  it('matches the PATCH preference test vector', () => {
    const sig = saasusSignature({
      ...vector,
      method: 'PATCH',
      url: 'https://api.saasus.io/v1/auth/users/f94bfffc-8be2-11ec-b41a-0242ac120004/mfa/preference',
      body: '{"enabled":true,"method":"softwareToken"}',
    });
    expect(sig).toBe('7eedbc40c6ebc0cf53a3f5843ee181fe95e30175df81a099a90c37eb8a7e1e44');
  });

  it('matches the GET userinfo test vector (query signed, empty body)', () => {
    const sig = saasusSignature({
      ...vector,
      method: 'get',
      url: 'https://api.saasus.io/v1/auth/userinfo?token=abc.def.ghi',
      body: '',
    });
    expect(sig).toBe('65fa668c4bfc03b85dbed29a734163d96cac50c2bed8664843618683b3448071');
  });

  it('formats the minute as YYYYMMDDHHmm in UTC', () => {
    expect(saasusTimestamp(new Date(Date.UTC(2025, 0, 2, 15, 4, 59, 999)))).toBe('202501021504');
    expect(saasusTimestamp(new Date(Date.UTC(2026, 11, 31, 23, 59)))).toBe('202612312359');
  });

  it('signs host, explicit port, path and query, without the scheme', () => {
    expect(signedUrl('https://api.saasus.io/v1/auth/userinfo?token=a')).toBe('api.saasus.io/v1/auth/userinfo?token=a');
    expect(signedUrl('http://127.0.0.1:8080/v1/auth/x')).toBe('127.0.0.1:8080/v1/auth/x');
    expect(signedUrl('https://api.saasus.io:443/v1/auth/x')).toBe('api.saasus.io/v1/auth/x');
  });

  it('writes the header with exactly comma and one space between parts', () => {
    const header = saasusAuthorization(
      { saasId: 'saas-1', apiKey: 'test-api-key', secretKey: 'test-secret' },
      {
        method: 'GET',
        url: 'https://api.saasus.io/v1/auth/userinfo?token=abc.def.ghi',
        body: '',
        now: new Date(Date.UTC(2025, 0, 2, 15, 4)),
      },
    );
    expect(header).toBe(
      'SAASUSSIGV1 Sig=65fa668c4bfc03b85dbed29a734163d96cac50c2bed8664843618683b3448071, SaaSID=saas-1, APIKey=test-api-key',
    );
    expect(parseSaasusAuthorization(header)).toEqual({
      sig: '65fa668c4bfc03b85dbed29a734163d96cac50c2bed8664843618683b3448071',
      saasId: 'saas-1',
      apiKey: 'test-api-key',
    });
    expect(parseSaasusAuthorization(header.replace(', SaaSID', ',SaaSID'))).toBeUndefined();
  });

  it('changes when any signed part changes', () => {
    const base = { ...vector, method: 'GET', url: 'https://api.saasus.io/v1/auth/userinfo?token=abc', body: '' };
    const reference = saasusSignature(base);
    expect(saasusSignature({ ...base, url: 'https://api.saasus.io:8443/v1/auth/userinfo?token=abc' })).not.toBe(
      reference,
    );
    expect(saasusSignature({ ...base, url: 'https://api.saasus.io/v1/auth/userinfo?token=abd' })).not.toBe(reference);
    expect(saasusSignature({ ...base, body: ' ' })).not.toBe(reference);
    expect(saasusSignature({ ...base, timestamp: '202501021505' })).not.toBe(reference);
  });
});
