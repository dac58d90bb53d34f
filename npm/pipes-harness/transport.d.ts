/** serve refused a control call; `serverMessage` is serve's own explanation. */
export class ControlApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly serverMessage: string;
  readonly code?: string;
  readonly body: unknown;
}

export interface ControlOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Guards a call against a hung server (default 60 s). */
  timeoutMs?: number;
}

export class ControlTransport {
  /** @param controlUrl http://127.0.0.1:<port>/_harness (PIPES_HARNESS_CONTROL_URL) */
  constructor(controlUrl: string, options?: ControlOptions);
  readonly controlUrl: string;
  readonly origin: string;
  /** The client for PIPES_HARNESS_CONTROL_URL (and PIPES_HARNESS_CONTROL_TOKEN). */
  static fromEnv<T extends ControlTransport>(
    this: new (url: string, options?: ControlOptions) => T,
    env?: Record<string, string | undefined>,
    options?: ControlOptions,
  ): T;
  request(
    method: string,
    path: string,
    body?: Record<string, unknown>,
    query?: Record<string, unknown>,
  ): Promise<Record<string, any>>;
}
