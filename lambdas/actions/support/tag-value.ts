const MAX_TAG_VALUE = 256;

/**
 * IAM and EC2 tag values allow letters, digits, spaces and `_ . : / = + - @` only, up to 256 characters.
 * Finding types contain `!` and `&`; anything else outside the set becomes `_`.
 */
export function tagValue(text: string): string {
  return text.replace(/[^\p{L}\p{N} _.:/=+@-]/gu, '_').slice(0, MAX_TAG_VALUE);
}
