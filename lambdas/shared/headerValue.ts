/**
 * Whether `value` can be sent as an HTTP header value by `fetch`: Latin-1 only (a header is a byte string; a
 * character above U+00FF makes undici throw `TypeError`), no control character other than a tab (CR, LF and NUL
 * would split or end the header), and no leading or trailing space or tab (RFC 9110 field values are trimmed, so a
 * padded value would not arrive as sent). The empty value is valid.
 */
export function isSendableHeaderValue(value: string): boolean {
  return SENDABLE.test(value);
}

// field-content = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ], field-vchar = VCHAR / obs-text (0x80–0xFF)
const SENDABLE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;
