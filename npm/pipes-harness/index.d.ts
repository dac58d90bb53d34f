import type { ChildProcess } from 'node:child_process';
import { ControlClient } from './control';

export { ControlClient, Provider, FaultName } from './control';
export { ControlApiError, ControlOptions } from './transport';

export type Service = 'workos' | 'github' | 'slack' | 'google' | 'salesforce' | 'custom';

export interface StartServeOptions {
  /** A seed file's path, or the seed itself (the YAML seed format as an object). */
  seed?: string | Record<string, unknown>;
  /** Passed as `--api-key` (serve's default: sk_test_default). */
  apiKey?: string;
  /** Passed as `--control-token`; the control client sends it as a Bearer token. */
  controlToken?: string;
  /** More arguments for `pipes-harness serve`. */
  args?: string[];
  /** Added to serve's environment, e.g. the APP_WEBHOOK_URL a seed names as ${APP_WEBHOOK_URL}. */
  extraEnv?: Record<string, string>;
  /** The binary (default: $PIPES_HARNESS_BIN, else the platform package's). */
  binary?: string;
  /** Only guards against a serve that never starts (default 120 s). */
  timeoutMs?: number;
}

export interface Serve {
  /** Each service's base URL. */
  urls: Record<Service, string>;
  /** The environment an app needs: WORKOS_BASE_URL, WORKOS_API_KEY, GITHUB_API_URL, PIPES_HARNESS_*... */
  env: Record<string, string>;
  /** The control API: reset, clock, faults, revoke, events, deliveries, WorkOS rate limit. */
  control: ControlClient;
  workosUrl: string;
  controlUrl: string;
  apiKey: string;
  webhookSecret?: string;
  process: ChildProcess;
  /** What serve printed on stderr so far. */
  stderr(): string;
  /** Stops serve (SIGTERM) and removes its files. */
  stop(): Promise<void>;
}

/** Starts `pipes-harness serve` on free ports and resolves once it is ready. */
export function startServe(options?: StartServeOptions): Promise<Serve>;
/** The pipes-harness binary: $PIPES_HARNESS_BIN, else the platform package's. */
export function binaryPath(): string;
/** The environment an app needs, with the names `serve --env-file` writes. */
export function buildEnv(
  urls: Record<Service, string>,
  apiKey: string,
  webhookSecret?: string,
  controlToken?: string,
): Record<string, string>;
export const SERVICES: Service[];
