// A parser for the YAML subset docker/compose.yml keeps to (no yaml package is installed): block maps and
// lists, plain, quoted or flow-list scalars, full-line comments. Anything else throws, so the file stays in it.

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue } | null;

interface Line {
  indent: number;
  text: string;
  number: number;
}

export function parseSimpleYaml(source: string): YamlValue {
  const lines: Line[] = source.split('\n').flatMap((raw, index) => {
    if (/^\s*(#.*)?$/.test(raw)) return [];
    if (raw.includes('\t')) throw new Error(`line ${index + 1}: tabs are not allowed`);
    return [{ indent: raw.length - raw.trimStart().length, text: raw.trim(), number: index + 1 }];
  });
  let at = 0;

  function block(indent: number): YamlValue {
    const first = lines[at];
    if (!first || first.indent < indent) return null;
    return first.text.startsWith('- ') ? list(first.indent) : map(first.indent);
  }

  function list(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = lines[at]; line?.indent === indent && line.text.startsWith('- '); line = lines[at]) {
      at += 1;
      items.push(scalar(line.text.slice(2).trim(), line));
    }
    return items;
  }

  function map(indent: number): { [key: string]: YamlValue } {
    const entries: { [key: string]: YamlValue } = {};
    for (let line = lines[at]; line?.indent === indent; line = lines[at]) {
      const match = /^([A-Za-z0-9_.-]+):(?: (.*))?$/.exec(line.text);
      if (!match) throw new Error(`line ${line.number}: expected "key: value", got ${JSON.stringify(line.text)}`);
      const key = match[1]!;
      if (key in entries) throw new Error(`line ${line.number}: duplicate key ${key}`);
      at += 1;
      const rest = match[2]?.trim();
      const next = lines[at];
      entries[key] = rest !== undefined && rest !== '' ? scalar(rest, line) : next && next.indent > indent ? block(next.indent) : null;
    }
    const stray = lines[at];
    if (stray && stray.indent > indent) throw new Error(`line ${stray.number}: unexpected indentation`);
    return entries;
  }

  function scalar(text: string, line: Line): YamlValue {
    if (text.startsWith('[') || text.startsWith('"')) {
      try {
        return JSON.parse(text) as YamlValue;
      } catch {
        throw new Error(`line ${line.number}: not a JSON-style quoted value: ${text}`);
      }
    }
    if (text.startsWith("'")) {
      if (!text.endsWith("'") || text.length < 2) throw new Error(`line ${line.number}: unterminated quote`);
      return text.slice(1, -1).replace(/''/g, "'");
    }
    if (/^[{&*!|>]/.test(text) || / #/.test(text)) throw new Error(`line ${line.number}: outside the supported YAML subset: ${text}`);
    return text;
  }

  const value = block(0);
  if (at < lines.length) throw new Error(`line ${lines[at]!.number}: unexpected content`);
  return value;
}
