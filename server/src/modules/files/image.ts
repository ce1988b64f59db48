import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export type ImageMime = 'image/jpeg' | 'image/png';

/** A side longer than this is no photo of a document: refused before any decoding (decompression bombs). */
export const MAX_IMAGE_SIDE = 12_000;
/** Bounds the decoder's memory (4 bytes a pixel): 50 MP is more than any phone camera takes. */
export const MAX_IMAGE_PIXELS = 50_000_000;

export type ImageCheck =
  | { ok: true; mime: ImageMime; width: number; height: number }
  | { ok: false; reason: 'not-image' | 'too-large' | 'undecodable'; mime?: ImageMime };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The IEND chunk is always the same 12 bytes (empty data, fixed CRC). */
const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/** The type is read from the bytes, never from the file name or the declared content type. */
export function sniffImageType(bytes: Buffer): ImageMime | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  return null;
}

/** Width and height from the header alone, or null when the header is not where the format puts it. */
export function headerDimensions(bytes: Buffer, mime: ImageMime): { width: number; height: number } | null {
  if (mime === 'image/png') {
    // The IHDR chunk must come first: length 13, type, then width and height.
    if (bytes.length < 24 || bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  // JPEG: walk the marker segments up to the frame header (SOFn).
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame header
    const length = bytes.readUInt16BE(i + 2);
    if (length < 2) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (i + 9 > bytes.length) return null;
      return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  return null;
}

/**
 * Decodes the whole image, so that a valid header in front of anything else (HTML, a script, a truncated
 * upload) is refused. Dimensions are checked from the header first so that a small file cannot make the
 * decoder allocate gigabytes.
 */
export function checkImage(bytes: Buffer): ImageCheck {
  const mime = sniffImageType(bytes);
  if (!mime) return { ok: false, reason: 'not-image' };
  const size = headerDimensions(bytes, mime);
  if (!size || size.width === 0 || size.height === 0) return { ok: false, reason: 'undecodable', mime };
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE || size.width * size.height > MAX_IMAGE_PIXELS) {
    return { ok: false, reason: 'too-large', mime };
  }
  try {
    if (mime === 'image/png') {
      // Bytes after IEND would be carried along and served as part of the "image".
      if (!bytes.subarray(bytes.length - PNG_IEND.length).equals(PNG_IEND)) return { ok: false, reason: 'undecodable', mime };
      const image = PNG.sync.read(bytes, { checkCRC: true });
      if (image.width !== size.width || image.height !== size.height) return { ok: false, reason: 'undecodable', mime };
    } else {
      const image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        tolerantDecoding: false,
        maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000,
        maxMemoryUsageInMB: 512,
      });
      if (image.width !== size.width || image.height !== size.height) return { ok: false, reason: 'undecodable', mime };
    }
  } catch {
    return { ok: false, reason: 'undecodable', mime };
  }
  return { ok: true, mime, ...size };
}
