// The part of fs-native-extensions (prebuilt N-API binaries of fcntl/flock locks) salesstream uses.
declare module 'fs-native-extensions' {
  /** Takes an exclusive lock on the whole file; false when another open file holds it. */
  export function tryLock(fd: number, offset?: number, length?: number, opts?: { shared?: boolean }): boolean;
  export function unlock(fd: number, offset?: number, length?: number): void;
}
