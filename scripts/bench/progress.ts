/** Progress goes to stderr, so stdout holds only the report and the JSON line. */
export const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
