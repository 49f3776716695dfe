/** The error of a file that cannot be saved or loaded: it names the file and what was expected. */
export class ModelFileError extends Error {
  /** The file (or directory) the error is about. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'ModelFileError';
    this.file = file;
  }
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `fn`; an error it throws becomes a ModelFileError about `file` (one already about a file passes through). */
export function aboutFile<T>(file: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw new ModelFileError(file, `${what}: ${messageOf(error)}`, { cause: error });
  }
}
