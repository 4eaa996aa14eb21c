import { returnCodeByName, type FailureCodename } from '../upstream/return-codes.js';

/** A non-success answer: the code and codename always come from the shared return-code table. */
export interface Rejection {
  code: number;
  codename: string;
  result: string;
}

/** The table row for `codename`, with `detail` (if any) as the `result` message, else the table's meaning. */
export function reject(codename: FailureCodename, detail?: string): Rejection {
  const row = returnCodeByName(codename);
  // Unreachable while FailureCodename is derived from the table; a loud failure beats a silent wrong code.
  if (row === undefined) throw new Error(`return code ${codename} missing from RETURN_CODES`);
  return { code: row.code, codename: row.codename, result: detail ?? row.meaning };
}
