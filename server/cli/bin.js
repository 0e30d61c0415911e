#!/usr/bin/env node
// The CLI is TypeScript, run through tsx's loader like the server.
import { register } from 'tsx/esm/api';

register();
await import('./ebpf-playground.ts');
