/**
 * The part of `sax` (1.6, CommonJS, ships no types) that core/opml.ts uses. Declared here rather than
 * pulling in @types/sax for a handful of members.
 */
declare module 'sax' {
  namespace sax {
    interface Tag {
      name: string;
      attributes: Record<string, string>;
      isSelfClosing: boolean;
    }
    interface SAXOptions {
      /** Lowercase tag names in loose mode. */
      lowercase?: boolean;
      /** Track line and column (for error messages). @defaultValue true */
      position?: boolean;
      /** Only the five XML entities; otherwise HTML named entities such as `&nbsp;` are decoded too. */
      strictEntities?: boolean;
    }
    interface SAXParser {
      /** 0-based line of the current position. */
      line: number;
      /** 0-based column of the current position. */
      column: number;
      error: Error | null;
      onopentag: ((tag: Tag) => void) | null;
      onclosetag: ((name: string) => void) | null;
      ontext: ((text: string) => void) | null;
      oncdata: ((text: string) => void) | null;
      ondoctype: ((doctype: string) => void) | null;
      onerror: ((err: Error) => void) | null;
      write(chunk: string): SAXParser;
      close(): SAXParser;
    }
    function parser(strict: boolean, options?: SAXOptions): SAXParser;
  }
  export = sax;
}
