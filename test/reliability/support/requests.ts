import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { PLATFORM_TOKEN } from '../../support/app.ts';
import { MAPPING_SECRET } from './fixture.ts';
import { deepJson, hostileValue, nastyString } from './hostile.ts';
import { mutated, valueOf, type KnownIds, type Operation, type Parameter } from './openapi.ts';
import type { RawRequest } from './probe.ts';

/** What a generated request is made of, for the record of inputs tried. */
export interface Generated extends RawRequest {
  readonly kind: string;
}

/** Percent-encodes any string, lone surrogates included (as the bytes of U+FFFD would not be: raw). */
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text
      .replace(/[\ud800-\udfff]/g, '%ED%A0%80')
      .replace(/[^%A-Za-z0-9._~-]/g, (c) => (c.charCodeAt(0) < 128 ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c));
  }
}

/** Raw path segments a router must survive (not encoded on purpose). */
const RAW_SEGMENTS = ['%', '%zz', '%00', '%ED%A0%80', '%C0%AF', '..', '.', '%2F..%2F', '%252e', 'a%20b', '%F0%9F%98%80'];

function knownFor(op: Operation, name: string, known: KnownIds): readonly string[] {
  if (name === 'tenant') return [known.tenant];
  if (name === 'name') return known.mappings;
  if (op.path.startsWith('/v1/withdrawals/')) return known.withdrawals;
  if (op.path.startsWith('/v1/webhooks/')) return known.webhooks;
  if (op.path.startsWith('/v1/payouts/batches/')) return known.batches;
  if (op.path.startsWith('/v1/members/') || op.path.startsWith('/v1/statements/')) return known.members;
  return []; // (never a key id: revoking the fuzzer's own key would end the run)
}

function pathArbitrary(op: Operation, known: KnownIds): fc.Arbitrary<string> {
  const params = op.parameters.filter((p) => p.in === 'path');
  const segments = params.map((param) => {
    const real = knownFor(op, param.name, known);
    return fc.oneof(
      { weight: real.length > 0 ? 3 : 0, arbitrary: real.length > 0 ? fc.constantFrom(...real) : fc.constant('x') },
      { weight: 3, arbitrary: nastyString.map(encodeSegment) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    );
  });
  return fc
    .tuple(...segments)
    .map((values) => params.reduce((path, param, index) => path.replace(`{${param.name}}`, values[index]!), op.path));
}

function queryValue(param: Parameter, known: KnownIds): fc.Arbitrary<string[]> {
  const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined'));
  return fc.oneof(
    { weight: 3, arbitrary: valueOf(param.schema, known, param.name).map((value) => [asText(value)]) },
    { weight: 2, arbitrary: hostileValue.map((value) => [asText(value)]) },
    { weight: 1, arbitrary: fc.array(hostileValue.map(asText), { minLength: 2, maxLength: 3 }) },
  );
}

const RAW_QUERIES = [
  '',
  '%',
  '%%',
  '&&&',
  '=',
  '==',
  'a[b]=c',
  '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1',
  '__proto__=x',
  ';',
  'limit=1&limit=2',
  `x=${'q'.repeat(5000)}`,
];

function queryArbitrary(op: Operation, known: KnownIds): fc.Arbitrary<string> {
  const params = op.parameters.filter((p) => p.in === 'query');
  const record = fc.tuple(...params.map((param) => fc.option(queryValue(param, known), { freq: 3 })));
  return fc.tuple(record, fc.constantFrom(...RAW_QUERIES), fc.boolean()).map(([values, raw, addRaw]) => {
    const search = new URLSearchParams();
    values.forEach((value, index) =>
      value?.forEach((v) => search.append(params[index]!.name, v.replace(/[\ud800-\udfff]/g, '\ufffd'))),
    );
    const text = search.toString();
    const all = [text, addRaw ? raw : ''].filter((part) => part.length > 0).join('&');
    return all.length > 0 ? `?${all}` : '';
  });
}

/** Credentials the operation needs: the platform token, the mapping's signature, or the tenant's admin key. */
function credentialsFor(
  op: Operation,
  adminKey: string,
  payload: string | Buffer | undefined,
  signed: boolean,
): Record<string, string> {
  if (op.path === '/v1/tenants') return { authorization: `Bearer ${PLATFORM_TOKEN}` };
  if (op.path.startsWith('/v1/ingest/')) {
    const body = payload ?? '';
    const signature = createHmac('sha256', signed ? MAPPING_SECRET : 'a wrong secret 0123456789')
      .update(body)
      .digest('hex');
    return { 'x-signature': signature };
  }
  return { authorization: `Bearer ${adminKey}` };
}

function serialise(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '"unserialisable"';
  }
}

/** A JSON body following the documented schema, broken by one mutation; credentials as the operation needs. */
export function jsonRequests(op: Operation, known: KnownIds, adminKey: string): fc.Arbitrary<Generated> {
  const body = op.takesBody ? mutated(valueOf(op.body ?? {}, known)) : fc.constant(null);
  return fc
    .tuple(pathArbitrary(op, known), queryArbitrary(op, known), body, fc.boolean())
    .map(([path, query, generated, signed]) => {
      const payload = generated === null ? undefined : serialise(generated.value);
      const headers = {
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...credentialsFor(op, adminKey, payload, signed),
      };
      return {
        kind: generated === null ? 'path+query' : `json:${generated.mutation}`,
        method: op.method,
        url: `${path}${query}`,
        headers,
        ...(payload !== undefined ? { payload } : {}),
      };
    });
}

/** Bodies no JSON schema describes: broken JSON, other content types, deep nesting, polluting keys, odd encodings. */
export const RAW_BODIES: readonly { readonly name: string; readonly contentType?: string; readonly payload: string | Buffer }[] =
  [
    { name: 'truncated JSON', contentType: 'application/json', payload: '{"scope": "read", ' },
    { name: 'empty JSON body', contentType: 'application/json', payload: '' },
    { name: 'JSON null', contentType: 'application/json', payload: 'null' },
    { name: 'JSON number', contentType: 'application/json', payload: '1e999999' },
    { name: 'JSON string', contentType: 'application/json', payload: '"\\u0000"' },
    { name: 'JSON array', contentType: 'application/json', payload: '[1, "a", null]' },
    { name: 'byte order mark', contentType: 'application/json', payload: '\ufeff{"a": 1}' },
    { name: 'lone surrogate escape', contentType: 'application/json', payload: '{"a": "\\ud800", "events": ["\\udfff"]}' },
    {
      name: 'NUL escape in every field',
      contentType: 'application/json',
      payload:
        '{"scope": "read\\u0000", "label": "\\u0000", "url": "https://x.example/\\u0000", "member": "a\\u0000", "plan": {"templates": "\\u0000"}}',
    },
    {
      name: 'duplicate keys',
      contentType: 'application/json',
      payload: '{"scope": "read", "scope": "admin", "amount": "1.00", "amount": "-1.00"}',
    },
    {
      name: '__proto__ pollution',
      contentType: 'application/json',
      payload: '{"__proto__": {"polluted": true, "admin": true}, "a": 1}',
    },
    {
      name: 'constructor.prototype pollution',
      contentType: 'application/json',
      payload: '{"constructor": {"prototype": {"polluted": true}}}',
    },
    {
      name: 'nested __proto__',
      contentType: 'application/json',
      payload: '{"plan": {"__proto__": {"polluted": true}}, "events": [{"__proto__": {"isAdmin": true}}]}',
    },
    { name: 'deep array (100,000 levels)', contentType: 'application/json', payload: deepJson(100_000, 'array') },
    { name: 'deep object (10,000 levels)', contentType: 'application/json', payload: deepJson(10_000, 'object') },
    {
      name: 'deep object in a field (5,000 levels)',
      contentType: 'application/json',
      payload: `{"plan": ${deepJson(5000, 'object')}, "payload": ${deepJson(5000, 'array')}, "events": [${deepJson(5000, 'object')}]}`,
    },
    {
      name: 'huge exponent',
      contentType: 'application/json',
      payload: '{"amount": 1e400, "level": 1e400, "seconds": -1e400, "max": 1e400}',
    },
    {
      name: 'many keys (20,000)',
      contentType: 'application/json',
      payload: `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}": ${i}`).join(',')}}`,
    },
    {
      name: 'long string (1 MB)',
      contentType: 'application/json',
      payload: JSON.stringify({ label: 'x'.repeat(1 << 20), reason: 'y'.repeat(1 << 20) }),
    },
    {
      name: 'invalid UTF-8',
      contentType: 'application/json',
      payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]),
    },
    { name: 'UTF-16 claimed', contentType: 'application/json; charset=utf-16', payload: Buffer.from('{"a":1}', 'utf16le') },
    { name: 'text/plain', contentType: 'text/plain', payload: 'hello' },
    {
      name: 'XML',
      contentType: 'application/xml',
      payload: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    },
    {
      name: 'form encoded',
      contentType: 'application/x-www-form-urlencoded',
      payload: 'scope=admin&__proto__[polluted]=1&a[b][c]=d',
    },
    {
      name: 'multipart garbage',
      contentType: 'multipart/form-data; boundary=zz',
      payload: '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--zz--',
    },
    { name: 'CSV', contentType: 'text/csv', payload: 'reference,status\n=cmd|"/c calc"!A1,paid\n"unterminated,paid\n' },
    {
      name: 'XLSX claimed, not a zip',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      payload: Buffer.from('PK\u0003\u0004 not really a zip'),
    },
    { name: 'octet stream', contentType: 'application/octet-stream', payload: Buffer.from([0, 1, 2, 255, 254, 0]) },
    { name: 'no content type', payload: '{"a": 1}' },
    { name: 'odd content type', contentType: 'application/json;;;charset=', payload: '{}' },
  ];

/** A raw body request: one of RAW_BODIES on a real path of the operation. */
export function rawRequests(op: Operation, known: KnownIds, adminKey: string): fc.Arbitrary<Generated> {
  return fc.tuple(pathArbitrary(op, known), fc.constantFrom(...RAW_BODIES), fc.boolean()).map(([path, body, signed]) => ({
    kind: `raw:${body.name}`,
    method: op.method,
    url: path,
    headers: {
      ...(body.contentType ? { 'content-type': body.contentType } : {}),
      ...credentialsFor(op, adminKey, body.payload, signed),
    },
    payload: body.payload,
  }));
}
