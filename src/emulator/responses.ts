import { randomBytes } from 'node:crypto';

/** What the platform puts on the wire: the JSON envelope and the HTML pages proxies and errors produce. */

export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';
export const HTML_CONTENT_TYPE = 'text/html;charset=UTF-8';

export interface EnvelopeDto {
  stat: { cid: string; code: number; codename: string; systime: number };
  result: string;
  data: unknown;
}

/** A fresh request id, 32 hex characters like the platform's `stat.cid`. */
export function createCid(): string {
  return randomBytes(16).toString('hex');
}

/** The envelope every platform answer (success or failure) is wrapped in. `systime` is the emulator's clock. */
export function createEnvelope(code: number, codename: string, result: string, data: unknown, systime: number): EnvelopeDto {
  return { stat: { cid: createCid(), code, codename, systime }, result, data };
}

/** A minimal HTML error page like the ones nginx/Tomcat put in front of the platform. */
export function htmlErrorPage(status: number, reason: string): string {
  return `<!DOCTYPE html>\n<html><head><title>${status} ${escapeHtml(reason)}</title></head>` +
    `<body><center><h1>${status} ${escapeHtml(reason)}</h1></center><hr><center>nginx</center></body></html>\n`;
}

/** An HTTP 200 page that is not JSON at all, like a captive portal or proxy login page. */
export function htmlLoginPage(): string {
  return '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><h1>Network login required</h1>' +
    '<form method="post" action="/login"><input name="user"><input name="password" type="password">' +
    '<button>Sign in</button></form></body></html>\n';
}

/** A JSON body cut off mid-object, as when a proxy truncates the answer. */
export function malformedJsonBody(systime: number): string {
  return `{"stat":{"cid":"${createCid()}","code":0,"codename":"SUCCESS","systime":${systime}},"result":"success","data":{"passengerFlow":`;
}

/** The first bytes of a success envelope whose rest never comes (the `stall` fault). */
export function stalledBodyStart(systime: number): string {
  return `{"stat":{"cid":"${createCid()}","code":0,"codename":"SUCCESS","systime":${systime}},"result":"success","data":{`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
