/**
 * Writes to stdout and resolves once the text has left the process. A
 * process.exit() straight after a plain write cuts the output short when
 * stdout is a pipe to a slower reader (at 64 KiB, the pipe's buffer).
 */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}
