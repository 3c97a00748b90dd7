import { Transform, type TransformCallback } from 'node:stream';
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import { AppError } from '../../platform/errors.ts';

/** The encodings an import file may be in. Shift_JIS is always read as CP932 (Windows-31J), which Excel writes. */
export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'shift_jis' | 'utf-16le' | 'utf-16be';
export type EncodingChoice = 'auto' | 'utf8' | 'sjis';

export const ENCODING_CHOICES = ['auto', 'utf8', 'sjis'] as const;

/** Accepts the spellings people type: utf8, UTF-8, sjis, shift_jis, cp932, windows-31j. */
export function parseEncodingChoice(raw: string | undefined): EncodingChoice | undefined {
  const s = (raw ?? 'auto').toLowerCase().replace(/[-_]/g, '');
  if (s === 'auto' || s === '') return 'auto';
  if (s === 'utf8' || s === 'utf8bom') return 'utf8';
  if (['sjis', 'shiftjis', 'cp932', 'windows31j', 'ms932'].includes(s)) return 'sjis';
  return undefined;
}

const fileProblem = (detail: string) =>
  new AppError(422, 'import-file', 'Not a CSV file', detail, [{ path: 'file', message: detail }]);

const MAGIC: [number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an Excel .xlsx file?) — save it as CSV first'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel .xls / Office file — save it as CSV first'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x1f, 0x8b], 'a gzip archive'],
];

/** Up to this many bytes are looked at before deciding an encoding; a file of plain ASCII up to here is read as UTF-8. */
export const SNIFF_BYTES = 1 << 20;

/**
 * Decides the encoding from the first bytes of the file; throws a clear 422 for binary files
 * (images, archives, Excel workbooks) before anything is written.
 */
export function detectEncoding(sample: Buffer, choice: EncodingChoice = 'auto'): FileEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)
    return 'utf-8-bom';
  if (sample.length >= 2 && sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample.length >= 2 && sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  for (const [magic, what] of MAGIC) {
    if (magic.every((b, i) => sample[i] === b)) throw fileProblem(`the file is ${what}, not a CSV text file`);
  }
  if (sample.includes(0)) throw fileProblem('the file contains binary data (NUL bytes), not CSV text');
  let controls = 0;
  for (const b of sample.subarray(0, 65536)) if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1a)) controls++;
  if (controls > 8) throw fileProblem('the file contains binary data (control bytes), not CSV text');
  if (choice === 'utf8') return 'utf-8';
  if (choice === 'sjis') return 'shift_jis';
  // Cut at the last line end so that a multi-byte character split by the sample does not mislead the detector.
  const end = sample.lastIndexOf(0x0a);
  const body = end > 0 ? sample.subarray(0, end) : sample;
  const found = Encoding.detect(body, ['UTF8', 'SJIS', 'EUCJP']);
  if (found === 'UTF8' || found === false)
    return found === false && hasHighBytes(body) ? 'shift_jis' : 'utf-8';
  if (found === 'EUCJP') throw fileProblem('the file is in EUC-JP; save it as UTF-8 or Shift_JIS');
  return 'shift_jis';
}

function hasHighBytes(buf: Buffer): boolean {
  for (const b of buf) if (b >= 0x80) return true;
  return false;
}

const ICONV: Record<FileEncoding, string> = {
  'utf-8': 'utf8',
  'utf-8-bom': 'utf8',
  shift_jis: 'cp932',
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
};

/** Bytes in, text out; a character split across chunks is carried over. Strips a BOM. */
export function decoderStream(encoding: FileEncoding): Transform {
  const decoder = iconv.getDecoder(ICONV[encoding], { stripBOM: true });
  return new Transform({
    readableObjectMode: false,
    decodeStrings: true,
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      const text = decoder.write(chunk);
      cb(null, text.length > 0 ? text : undefined);
    },
    flush(cb: TransformCallback) {
      const rest = decoder.end();
      cb(null, rest && rest.length > 0 ? rest : undefined);
    },
  });
}

/** Decodes a whole (small) buffer, e.g. the first bytes of an upload for a preview. */
export function decodeBuffer(buf: Buffer, encoding: FileEncoding): string {
  return iconv.decode(buf, ICONV[encoding], { stripBOM: true });
}

/**
 * Reads the first bytes of an async byte source for detection, then yields every chunk
 * (the sniffed ones first). Stops sniffing at the first non-ASCII byte or SNIFF_BYTES.
 */
export type ByteSource =
  | AsyncIterable<Buffer | Uint8Array | string>
  | Iterable<Buffer | Uint8Array | string>
  | Buffer;

export async function sniff(input: ByteSource): Promise<{ sample: Buffer; chunks: AsyncGenerator<Buffer> }> {
  const source: AsyncIterable<Buffer | Uint8Array | string> = Buffer.isBuffer(input)
    ? toAsync([input])
    : Symbol.asyncIterator in input
      ? input
      : toAsync(input);
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < SNIFF_BYTES) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    const buf = toBuffer(next.value);
    head.push(buf);
    size += buf.length;
    if (size >= 4096 && hasHighBytes(buf)) break;
  }
  const sample = Buffer.concat(head);
  async function* chunks(): AsyncGenerator<Buffer> {
    if (sample.length > 0) yield sample;
    if (done) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield toBuffer(next.value);
    }
  }
  return { sample, chunks: chunks() };
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

function toBuffer(v: Buffer | Uint8Array | string): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export const ENCODING_LABELS: Record<FileEncoding, string> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8 (BOM)',
  shift_jis: 'Shift_JIS (CP932)',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
};
