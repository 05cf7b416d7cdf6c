import { createWriteStream } from 'node:fs';
import { mkdtemp, realpath, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { methods } from '../shared/contract';
import { AppError } from '../shared/errors';

/** Everything of an import request except the uploaded text: a few hundred bytes in practice. */
const MAX_ENVELOPE_BYTES = 64 * 1024;
/** The longest key the extractor reads; longer ones cannot be `source` or `text`. */
const MAX_KEY_BYTES = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const SIMPLE_ESCAPES: Readonly<Record<number, number>> = {
  [QUOTE]: QUOTE,
  [BACKSLASH]: BACKSLASH,
  0x2f: 0x2f, // "/"
  0x62: 0x08, // "b"
  0x66: 0x0c, // "f"
  0x6e: 0x0a, // "n"
  0x72: 0x0d, // "r"
  0x74: 0x09, // "t"
};

type Container = { kind: 'object'; key: string | null; awaitingKey: boolean } | { kind: 'array' };

/** Why a streamed body could not be taken apart; the caller answers with the matching status. */
export class UploadRefused extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'UploadRefused';
  }
}

/** The client went away mid-upload; nobody is left to answer. */
export class UploadAborted extends Error {
  constructor() {
    super('The client closed the connection during the upload.');
    this.name = 'UploadAborted';
  }
}

/**
 * Takes a JSON import request apart as it streams in: the string at `source.text` is decoded
 * and passed on (to a file), everything else is kept as JSON text with that string emptied.
 * The uploaded text is never held in memory, whatever its size. Written by hand because the
 * project has no streaming JSON parser; it tracks only enough structure to find the target
 * string, and JSON.parse of the kept text checks the rest.
 */
export class SourceTextExtractor extends Transform {
  private readonly stack: Container[] = [];
  private readonly envelope: Buffer[] = [];
  private envelopeBytes = 0;
  /** Inside a string: whether it is the uploaded text, and the raw bytes of a key being read. */
  private inString: { target: boolean; key: number[] | null } | null = null;
  private escape: 'none' | 'pending' | 'unicode' = 'none';
  private hex = '';
  private highSurrogate: number | null = null;
  private textBytes = 0;
  /** Decoded text of the current chunk and how much of it is filled. */
  private out = Buffer.alloc(0);
  private written = 0;
  /** Whether the body held a `source.text` string. */
  extracted = false;

  constructor(private readonly maxTextBytes: number) {
    super();
  }

  /** The request without its text, to parse once the body has ended. */
  envelopeText(): string {
    return Buffer.concat(this.envelope).toString('utf8');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      // Decoding never lengthens the text: an escape is longer than the UTF-8 it stands for.
      this.out = Buffer.allocUnsafe(chunk.length + 4);
      this.written = 0;
      let keepFrom = 0;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        const string = this.inString;
        if (string?.target) {
          if (this.escape !== 'none') this.decodeEscape(byte);
          else if (byte === BACKSLASH) this.escape = 'pending';
          else if (byte === QUOTE) {
            this.endSurrogate();
            this.inString = null;
            keepFrom = i;
          } else if (byte < 0x20) {
            throw new UploadRefused(400, 'The request body is not valid JSON: a control character inside a string.');
          } else {
            this.endSurrogate();
            this.out[this.written++] = byte;
          }
        } else if (string) {
          if (this.escape === 'pending') this.escape = 'none';
          else if (byte === BACKSLASH) this.escape = 'pending';
          else if (byte === QUOTE) {
            this.inString = null;
            if (string.key) this.endKey(string.key);
          }
          if (string.key && this.inString && string.key.length < MAX_KEY_BYTES) string.key.push(byte);
        } else {
          this.structural(byte);
          if (this.inString?.target) {
            // The opening quote is kept, so the envelope holds an empty string in the text's place.
            this.keep(chunk.subarray(keepFrom, i + 1));
            keepFrom = chunk.length;
          }
        }
      }
      if (keepFrom < chunk.length && !this.inString?.target) this.keep(chunk.subarray(keepFrom));
      this.textBytes += this.written;
      if (this.textBytes > this.maxTextBytes) throw new UploadRefused(413, `The uploaded text is larger than ${this.maxTextBytes} bytes.`);
      done(null, this.written > 0 ? this.out.subarray(0, this.written) : undefined);
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    done(this.inString || this.stack.length > 0 ? new UploadRefused(400, 'The request body is not valid JSON: it ends too early.') : null);
  }

  private putText(text: string): void {
    this.written += this.out.write(text, this.written);
  }

  /** A high surrogate not followed by a low one has no UTF-8 form: it becomes U+FFFD, as TextDecoder would show it. */
  private endSurrogate(): void {
    if (this.highSurrogate === null) return;
    this.highSurrogate = null;
    this.putText('\ufffd');
  }

  private decodeEscape(byte: number): void {
    if (this.escape === 'pending') {
      if (byte === 0x75) {
        this.escape = 'unicode';
        this.hex = '';
        return;
      }
      const simple = SIMPLE_ESCAPES[byte];
      if (simple === undefined) throw new UploadRefused(400, 'The request body is not valid JSON: an unknown escape in a string.');
      this.escape = 'none';
      this.endSurrogate();
      this.out[this.written++] = simple;
      return;
    }
    this.hex += String.fromCharCode(byte);
    if (this.hex.length < 4) return;
    if (!/^[0-9a-fA-F]{4}$/.test(this.hex)) throw new UploadRefused(400, 'The request body is not valid JSON: a bad \\u escape.');
    this.escape = 'none';
    const unit = Number.parseInt(this.hex, 16);
    if (unit >= 0xdc00 && unit <= 0xdfff && this.highSurrogate !== null) {
      const codePoint = 0x10000 + ((this.highSurrogate - 0xd800) << 10) + (unit - 0xdc00);
      this.highSurrogate = null;
      this.putText(String.fromCodePoint(codePoint));
      return;
    }
    this.endSurrogate();
    if (unit >= 0xd800 && unit <= 0xdbff) this.highSurrogate = unit;
    else this.putText(String.fromCharCode(unit));
  }

  /** A byte outside strings: containers, separators, and the start of a key or a string value. */
  private structural(byte: number): void {
    const top = this.stack[this.stack.length - 1];
    if (byte === 0x7b) this.stack.push({ kind: 'object', key: null, awaitingKey: true });
    else if (byte === 0x5b) this.stack.push({ kind: 'array' });
    else if (byte === 0x7d || byte === 0x5d) this.stack.pop();
    else if (byte === 0x3a && top?.kind === 'object') top.awaitingKey = false;
    else if (byte === 0x2c && top?.kind === 'object') top.awaitingKey = true;
    else if (byte === QUOTE) {
      if (top?.kind === 'object' && top.awaitingKey) {
        this.inString = { target: false, key: [] };
        return;
      }
      const target = this.atSourceText();
      if (target && this.extracted) throw new UploadRefused(400, 'The request gives source.text twice.');
      this.extracted ||= target;
      this.inString = { target, key: null };
    }
  }

  /** Whether the value starting now is `source.text` of the top-level object. */
  private atSourceText(): boolean {
    const [root, source] = this.stack;
    return this.stack.length === 2 && root?.kind === 'object' && root.key === 'source' && source?.kind === 'object' && source.key === 'text';
  }

  private endKey(raw: number[]): void {
    const top = this.stack[this.stack.length - 1];
    if (top?.kind !== 'object') return;
    try {
      top.key = JSON.parse(`"${Buffer.from(raw).toString('utf8')}"`) as string;
    } catch {
      top.key = null;
    }
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.envelopeBytes += part.length;
    if (this.envelopeBytes > MAX_ENVELOPE_BYTES) {
      throw new UploadRefused(413, `The fields of an import request besides source.text may take ${MAX_ENVELOPE_BYTES} bytes.`);
    }
    this.envelope.push(Buffer.from(part));
  }
}

/** A file name as the core will show it ("Import <name> into …"), never a path. */
function safeFileName(name: string): string {
  const flat = name.replace(/[/\\\0]/g, '_');
  return flat === '.' || flat === '..' || flat === '' ? 'upload.csv' : flat;
}

/**
 * Pipes the body through the extractor into `file`, with backpressure. On a refusal the rest
 * of the body is read and dropped rather than the socket destroyed, so the client still gets
 * the answer.
 */
function spoolBody(req: IncomingMessage, extractor: SourceTextExtractor, file: string): Promise<void> {
  return new Promise((resolveSpool, rejectSpool) => {
    const output = createWriteStream(file, { mode: 0o600 });
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (!error) return resolveSpool();
      req.unpipe(extractor);
      req.resume();
      extractor.destroy();
      output.destroy();
      rejectSpool(error);
    };
    extractor.on('error', settle);
    output.on('error', settle);
    output.on('finish', () => settle());
    req.on('error', () => settle(new UploadAborted()));
    req.on('close', () => {
      if (!req.complete) settle(new UploadAborted());
    });
    req.pipe(extractor).pipe(output);
  });
}

export interface SpooledRequest {
  /** The request as parsed, `source.text` pointing at the spooled file instead of holding the text. */
  input: unknown;
  /** Whether `source` now names the spooled upload (so it is no request for a path of the host). */
  uploaded: boolean;
  /** Removes the spooled file; safe to call more than once. */
  discard(): Promise<void>;
}

/**
 * Reads an `import.preview`/`import.csv` body, writing an uploaded `source.text` into a
 * private temporary folder as it arrives, so the core reads it as a file with bounded memory.
 * The reply keeps the upload's shape: the file is named as the upload was, and the core
 * quotes only that name. Non-upload requests (a path source) come back parsed as they are.
 */
export async function spoolImportRequest(req: IncomingMessage, method: 'import.preview' | 'import.csv', maxTextBytes: number): Promise<SpooledRequest> {
  const folder = await mkdtemp(join(tmpdir(), 'metalytics-upload-'));
  const discard = () => rm(folder, { recursive: true, force: true });
  try {
    const extractor = new SourceTextExtractor(maxTextBytes);
    const spooled = join(folder, 'upload');
    await spoolBody(req, extractor, spooled);
    const envelope = extractor.envelopeText();
    let input: unknown;
    if (envelope.trim() !== '') {
      try {
        input = JSON.parse(envelope);
      } catch {
        throw new UploadRefused(400, 'The request body is not valid JSON.');
      }
    }
    // Anything but a well-formed upload goes to the core as sent, which refuses it the usual way.
    const checked = methods[method].input.safeParse(input);
    if (!extractor.extracted || !checked.success || checked.data.source.kind !== 'text') {
      await discard();
      return { input, uploaded: false, discard: async () => {} };
    }
    const file = join(folder, safeFileName(checked.data.source.fileName));
    await rename(spooled, file);
    return { input: { ...checked.data, source: { kind: 'path', path: file } }, uploaded: true, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}

/** Whether `file` lies below the folder `root` (the folder itself is not below it). */
export function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The real path of a file a request names, if it lies inside the import folder (a relative
 * path is taken from there). Anything else is refused with the same words whether or not the
 * file exists, so probing learns nothing. The real path is checked, after symlinks and `..`,
 * so neither can lead out of the folder.
 */
export async function resolveImportPath(importDir: string | undefined, requested: string): Promise<string> {
  if (!importDir) {
    throw new AppError(
      'FORBIDDEN',
      'This server does not import files by path. Upload the file instead, or start it with METALYTICS_IMPORT_DIR set to a folder whose files may be imported.',
    );
  }
  const refused = new AppError(
    'FORBIDDEN',
    'Only files inside the import folder (METALYTICS_IMPORT_DIR) can be imported by path. Give the path of a file in it, or upload the file.',
  );
  const root = await realpath(importDir).catch(() => undefined);
  if (!root) throw refused;
  // A missing file is refused like one outside: through a symlinked folder inside, "not found"
  // would tell which files exist elsewhere.
  const real = await realpath(resolve(root, requested)).catch(() => undefined);
  if (real === undefined) throw refused;
  if (!isInside(root, real)) throw refused;
  const info = await stat(real).catch(() => undefined);
  if (!info?.isFile()) throw refused;
  return real;
}
