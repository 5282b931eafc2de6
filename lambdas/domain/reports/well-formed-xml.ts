/**
 * A small XML well-formedness check (tags balanced and properly nested, attributes quoted,
 * entities known): enough to say an SVG the reports render will parse, without a dependency.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag =
    /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const text = (s: string) => {
    if (s.includes('<') || s.includes('>')) problems.push(`stray angle bracket in text: ${s.slice(0, 40)}`);
    for (const e of s.match(/&[^;\s]*;?/g) ?? [])
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(e)) problems.push(`bad entity ${e}`);
  };
  while ((m = tag.exec(xml))) {
    text(xml.slice(last, m.index));
    last = tag.lastIndex;
    if (!m[2]) continue;
    for (const e of (m[3] ?? '').match(/&[^;\s"']*;?/g) ?? [])
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(e)) problems.push(`bad entity ${e} in an attribute`);
    if (m[1]) {
      const open = stack.pop();
      if (open !== m[2]) problems.push(`</${m[2]}> closes <${open ?? 'nothing'}>`);
    } else if (!m[4]) stack.push(m[2]);
  }
  text(xml.slice(last));
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}
