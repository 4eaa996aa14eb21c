import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Trusted documents (persisted queries): a JSON map `{ "<sha256 hex>": "<document>" }`, the format GraphQL
 * Code Generator's client preset writes as `persisted-documents.json`. Each key must be the document's own
 * sha-256, so a tampered file cannot smuggle a document under another's id.
 */
export class TrustedDocumentsError extends Error {
  override readonly name = 'TrustedDocumentsError';
  readonly code = 'TRUSTED_DOCUMENTS_INVALID';
}

export type TrustedDocuments = ReadonlyMap<string, string>;

export function parseTrustedDocuments(json: string, source: string): TrustedDocuments {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TrustedDocumentsError(`${source}: is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TrustedDocumentsError(`${source}: must be a JSON object { "<sha256>": "<document>" }`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(value)) {
    if (!/^[0-9a-f]{64}$/i.test(hash)) throw new TrustedDocumentsError(`${source}: a key is not a sha-256 hex digest`);
    if (typeof document !== 'string' || document.trim() === '') throw new TrustedDocumentsError(`${source}: the document of ${hash.slice(0, 12)}… is not a string`);
    if (createHash('sha256').update(document).digest('hex') !== hash.toLowerCase()) {
      throw new TrustedDocumentsError(`${source}: ${hash.slice(0, 12)}… is not the sha-256 of its document`);
    }
    documents.set(hash.toLowerCase(), document);
  }
  return documents;
}

export function loadTrustedDocuments(path: string): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unreadable';
    throw new TrustedDocumentsError(`${path}: cannot read the trusted documents file (${code})`);
  }
  return parseTrustedDocuments(text, path);
}
