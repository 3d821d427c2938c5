/** One error family: every error the user can cause or meet carries the exit code the CLI uses. */
export class SalesstreamError extends Error {
  constructor(message: string, readonly exitCode: number = 1) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad flag, value or file: one line, exit 2. */
export class UsageError extends SalesstreamError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** A broker that cannot be reached or refuses us. */
export class ConnectionError extends SalesstreamError {
  constructor(message: string) {
    super(message, 3);
  }
}
