// What went wrong, for the user: compiler and verifier diagnostics on the C line, error codes, the verifier's explanation.
import { z } from 'zod';

export const severitySchema = z.enum(['error', 'warning', 'note']);
export type Severity = z.infer<typeof severitySchema>;

export const diagnosticSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  endLine: z.number().int().optional(),
  endColumn: z.number().int().optional(),
  severity: severitySchema,
  message: z.string(),
  source: z.enum(['clang', 'verifier', 'libbpf']),
});
export type Diagnostic = z.infer<typeof diagnosticSchema>;

export const errorCodeSchema = z.enum([
  'bad_request',
  'protocol_version',
  'compile_failed',
  'skeleton_failed',
  'verifier_rejected',
  'load_failed',
  'attach_failed',
  'seed_failed',
  'policy_denied',
  'busy',
  'not_running',
  'map_error',
  'host_unsupported',
  'rate_limited',
  'session_expired',
  'too_many_sessions',
  /** Said by a client, never sent: the request got no answer because the connection is down. */
  'connection_lost',
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const playgroundErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** On `rate_limited`: milliseconds until the same request would be taken again. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type PlaygroundError = z.infer<typeof playgroundErrorSchema>;

export const verifierExplanationSchema = z.object({
  /** Which failure class, e.g. 'null_deref', 'unbounded_loop'. */
  kind: z.string(),
  /** One plain-language sentence: what went wrong. */
  summary: z.string(),
  /** What to change. */
  hint: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  /** The instruction the verifier stopped at. */
  insn: z.number().int().optional(),
});
export type VerifierExplanation = z.infer<typeof verifierExplanationSchema>;
