// got's dependency @sindresorhus/is builds two `Intl.ListFormat`s when it is imported, to word its assertion errors.
// Building one makes V8 read ICU's locale data out of the node binary: about 4 MB of its pages then stay resident for
// the life of the process, though the relay never has got word such an error in normal operation. Under the memory
// bar that is the room 4 MB semi-spaces need (docs/performance.md, "Memory"), so the server loads its modules while
// `Intl.ListFormat` builds the real formatter on first use.

type ListFormatArgs = ConstructorParameters<typeof Intl.ListFormat>;

/**
 * Runs `load` (the server's imports) with `Intl.ListFormat` deferring the real formatter to its first use, then puts
 * the real constructor back, also when `load` fails. Only formatters made during `load` are deferred; they word
 * lists exactly as the real ones do, but a bad locale or option is reported at first use instead of at construction.
 */
export async function withDeferredListFormats<T>(load: () => Promise<T>): Promise<T> {
  const Real = (globalThis.Intl as Partial<typeof Intl> | undefined)?.ListFormat;
  // A node built without ICU has nothing to defer; got's import then fails as it would have anyway.
  if (typeof Real !== 'function') return load();
  setListFormat(deferring(Real));
  try {
    return await load();
  } finally {
    setListFormat(Real);
  }
}

// TypeScript declares the namespace's member read-only; the built-in property is writable, as this keeps it.
function setListFormat(constructor: typeof Intl.ListFormat): void {
  Object.defineProperty(Intl, 'ListFormat', { value: constructor });
}

function deferring(Real: typeof Intl.ListFormat): typeof Intl.ListFormat {
  return class DeferredListFormat implements Intl.ListFormat {
    static supportedLocalesOf(...args: Parameters<typeof Intl.ListFormat.supportedLocalesOf>): string[] {
      return Real.supportedLocalesOf(...args);
    }

    readonly #args: ListFormatArgs;
    #real: Intl.ListFormat | undefined;

    constructor(...args: ListFormatArgs) {
      this.#args = args;
    }

    format(list: Iterable<string>): string {
      return this.#formatter().format(list);
    }

    formatToParts(list: Iterable<string>): ReturnType<Intl.ListFormat['formatToParts']> {
      return this.#formatter().formatToParts(list);
    }

    resolvedOptions(): Intl.ResolvedListFormatOptions {
      return this.#formatter().resolvedOptions();
    }

    #formatter(): Intl.ListFormat {
      return (this.#real ??= new Real(...this.#args));
    }
  };
}
