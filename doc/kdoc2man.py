#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kdoc2man.py - libvcm's man pages, made from its sources.

    kdoc2man.py OUTDIR VERSION HEADER... [--pages PAGE.txt...]

Section 3: one page per kernel-doc comment in the public HEADERs (function,
function-like or plain macro, struct, enum, typedef), written to
OUTDIR/man3/NAME.3.  A kernel-doc comment is

    /**
     * name() - one-line summary.          (or "struct name - ...",
     * @arg: meaning, continued on          "enum name - ...",
     *       indented lines.                "typedef name - ...",
     *                                      "NAME - ..." for a macro)
     * Longer description, paragraphs separated by blank lines; "- " items.
     *
     * Return: what it returns.
     */

followed by the declaration it documents, which becomes the SYNOPSIS.

Sections 1 and 7: each PAGE.txt (named NAME.SECTION.txt) is a small
markdown-like text: its first line is "NAME - summary"; "## HEADING" starts a
section; paragraphs are separated by blank lines; lines indented by four
spaces are shown as they are; "- " starts an item; `code` is bold.  It is
written to OUTDIR/manSECTION/NAME.SECTION.

doc/check-man.py imports this file to check the pages against the headers.
"""

import os
import re
import sys

MANUAL = 'libvcm Manual'

# ---- parsing the headers ------------------------------------------------

HEAD_RE = re.compile(r'^(?:(struct|enum|union|typedef)\s+)?([A-Za-z_]\w*)(\(\))?\s+-\s+(.*)$')


class Item:
    """One documented thing of a header."""

    def __init__(self, header, line, kind, name, summary):
        self.header = header      # the header's path
        self.line = line          # line of the comment
        self.kind = kind          # function, variable, macro, struct, enum, union, typedef
        self.name = name
        self.summary = summary
        self.args = []            # [(name, text)]
        self.desc = []            # paragraphs (lists of lines)
        self.ret = ''             # the Return: text
        self.decl = ''            # the declaration, as in the header
        self.static_inline = False

    @property
    def include(self):
        """The #include line for the synopsis."""
        parts = self.header.replace(os.sep, '/').split('/')
        if len(parts) >= 2 and parts[-2] == 'vcm':
            return '<vcm/%s>' % parts[-1]
        return '<%s>' % parts[-1]


class Problem(Exception):
    pass


def comment_lines(text):
    """The lines of a /** ... */ comment, without the comment markers."""
    text = text[3:-2]
    out = []
    for line in text.split('\n'):
        line = re.sub(r'^\s*\* ?', '', line, count=1) if line.strip().startswith('*') else line.strip()
        out.append(line.rstrip())
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def parse_comment(lines, item):
    """Fill item.args, item.desc and item.ret from the comment's lines."""
    i = 1
    # A summary may go on over a few lines (up to a blank or an @ line).
    while i < len(lines) and lines[i].strip() and not lines[i].startswith('@'):
        item.summary += ' ' + lines[i].strip()
        i += 1
    # Arguments (or members): "@name: text" with indented continuations.
    while i < len(lines):
        m = re.match(r'^@(\w+|\.\.\.):\s*(.*)$', lines[i])
        if m:
            item.args.append([m.group(1), m.group(2)])
        elif item.args and lines[i][:1] in (' ', '\t') and lines[i].strip():
            item.args[-1][1] += ' ' + lines[i].strip()
        else:
            break
        i += 1
    # The rest: paragraphs, and the text from "Return:" on.
    body = '\n'.join(lines[i:])
    m = re.search(r'(^|\s)Return:\s*', body)
    if m:
        item.ret = ' '.join(body[m.end():].split())
        body = body[:m.start()]
    para = []
    for line in body.split('\n') + ['']:
        if not line.strip():
            if para:
                item.desc.append(para)
            para = []
        else:
            para.append(line.strip())


def declaration(src, pos, item):
    """The declaration that follows a comment ending at pos."""
    rest = src[pos:].lstrip()
    if item.kind in ('struct', 'enum', 'union') and re.match(r'%s\s+%s\s*\{' % (item.kind, item.name), rest):
        end = find_closing(rest, rest.index('{'))
        return rest[:rest.index(';', end) + 1]
    if item.kind == 'macro' or rest.startswith('#'):
        item.kind = 'macro'
        m = re.match(r'#\s*define\s+(\w+)(\([^)]*\))?', rest)
        if not m or m.group(1) != item.name:
            return None
        if m.group(2):
            item.kind = 'function-macro'
        return '#define %s%s' % (m.group(1), m.group(2) or '')
    m = re.match(r'[^;{]*', rest)
    decl = m.group(0).strip()
    if not re.search(r'\b%s\b' % re.escape(item.name), decl):
        return None
    if item.kind == 'function':
        item.static_inline = decl.startswith('static inline')
        decl = re.sub(r'\bVCM_EXPORT\s+', '', decl)
        return wrap(' '.join(decl.split()) + ';')
    if item.kind == 'variable':
        return ' '.join(re.sub(r'\bVCM_EXPORT\s+', '', decl).split()) + ';'
    return decl + ';'


def wrap(proto, width=76):
    """A one-line prototype, broken after commas, continuations under the (."""
    if len(proto) <= width or '(' not in proto:
        return proto
    indent = ' ' * (proto.index('(') + 1)
    lines, cur = [], ''
    for piece in re.split(r'(?<=,) ', proto):
        if cur and len(cur) + 1 + len(piece) > width:
            lines.append(cur)
            cur = indent + piece
        else:
            cur = cur + ' ' + piece if cur else piece
    return '\n'.join(lines + [cur])


def find_closing(text, start):
    depth = 0
    for j in range(start, len(text)):
        if text[j] == '{':
            depth += 1
        elif text[j] == '}':
            depth -= 1
            if depth == 0:
                return j
    raise Problem('no closing brace')


def parse_header(path, problems):
    """The documented items of a header; what cannot be used goes to problems."""
    src = open(path, encoding='utf-8').read()
    items = []
    for m in re.finditer(r'/\*\*(?!/).*?\*/', src, re.S):
        line = src.count('\n', 0, m.start()) + 1
        lines = comment_lines(m.group(0))
        head = HEAD_RE.match(lines[0]) if lines else None
        if not head:
            problems.append('%s:%d: a /** comment must start "name() - summary", "struct name - '
                            'summary", "enum name - summary", "typedef name - summary" or '
                            '"MACRO - summary" (use /* for other comments)' % (path, line))
            continue
        kind, name, paren, summary = head.groups()
        if not kind:
            # a lower-case name without () is a variable (or a macro,
            # which declaration() finds out from the #define)
            kind = ('function' if paren else 'variable') if not name.isupper() else 'macro'
        item = Item(path, line, kind, name, summary.strip())
        parse_comment(lines, item)
        item.decl = declaration(src, m.end(), item)
        if not item.decl:
            problems.append('%s:%d: the comment "%s" is not followed by the declaration of %s'
                            % (path, line, lines[0], name))
            continue
        items.append(item)
    return items


# ---- writing roff -------------------------------------------------------

def esc(text):
    """Plain text for roff."""
    text = text.replace('\\', '\\e').replace('-', '\\-')
    return re.sub(r"^([.'])", r'\\&\1', text, flags=re.M)


CALL_RE = re.compile(r'\b(\w+)\((?=\)|[^)]*\))')


def inline(text):
    """Plain text with @arg in italics, name() or name(...) and `code` in bold."""
    out = []
    for i, part in enumerate(re.split(r'`([^`]*)`', text)):
        part = esc(part)
        if i % 2:
            out.append('\\fB%s\\fP' % part)
        else:
            part = re.sub(r'@(\w+)', r'\\fI\1\\fP', part)
            out.append(CALL_RE.sub(r'\\fB\1\\fP(', part))
    return ''.join(out)


def paragraphs(paras):
    out = []
    for para in paras:
        if para[0].startswith('- '):
            items, cur = [], []
            for line in para:
                if line.startswith('- ') and cur:
                    items.append(cur)
                    cur = []
                cur.append(line[2:] if line.startswith('- ') else line)
            items.append(cur)
            for it in items:
                out += ['.IP \\(bu 2', inline(' '.join(it))]
        else:
            out += ['.PP', inline(' '.join(para))]
    return out


def th(name, section, version):
    return '.TH "%s" "%s" "" "libvcm %s" "%s"\n.nh' % (name.upper() if section == '7' else name,
                                                       section, version, MANUAL)


def see_also(item, names):
    refs = []
    text = ' '.join([item.decl, item.summary, item.ret] + [a[1] for a in item.args] +
                    [' '.join(p) for p in item.desc])
    for ref in CALL_RE.findall(text) + re.findall(r'\b(?:struct|enum)\s+(\w+)', text):
        if ref in names and ref != item.name and ref not in refs:
            refs.append(ref)
    return ['.BR %s (3),' % r for r in refs] + ['.BR vcm (7)']


def item_page(item, version, names):
    kind = {'function': '', 'variable': '', 'macro': 'macro ', 'function-macro': 'macro ',
            'struct': 'struct ', 'enum': 'enum ', 'union': 'union ', 'typedef': 'typedef '}
    out = [th(item.name, '3', version), '.SH NAME',
           '%s \\- %s' % (esc(item.name), esc(item.summary)),
           '.SH SYNOPSIS', '.nf', '.B #include %s' % item.include, '.PP']
    out += [esc(line.expandtabs(8)) for line in item.decl.split('\n')]
    out += ['.fi']
    if item.kind in ('function', 'variable') and not item.static_inline:
        out += ['.PP', 'Link with \\fI\\-lvcm\\fP (\\fBpkg\\-config \\-\\-libs vcm\\fP).']
    if item.args:
        what = {'struct': 'MEMBERS', 'union': 'MEMBERS', 'enum': 'CONSTANTS'}
        out += ['.SH ' + what.get(item.kind, 'ARGUMENTS')]
        for name, text in item.args:
            out += ['.TP', '.I ' + esc(name), inline(text)]
    if item.desc:
        out += ['.SH DESCRIPTION'] + paragraphs(item.desc)
    if item.ret:
        out += ['.SH RETURN VALUE', inline(item.ret)]
    out += ['.SH SEE ALSO'] + see_also(item, names)
    return '\n'.join(out) + '\n'


def text_page(path, version):
    """A section 1 or 7 page from its NAME.SECTION.txt source."""
    base = os.path.basename(path)
    m = re.match(r'^(.+)\.(\d)\.txt$', base)
    if not m:
        raise Problem('%s: a page source is named NAME.SECTION.txt' % path)
    name, section = m.groups()
    lines = open(path, encoding='utf-8').read().rstrip('\n').split('\n')
    head = re.match(r'^(\S+) - (.*)$', lines[0])
    if not head or head.group(1) != name:
        raise Problem('%s:1: the first line must be "%s - summary"' % (path, name))
    out = [th(name, section, version), '.SH NAME', '%s \\- %s' % (esc(name), esc(head.group(2)))]
    para, verbatim = [], False
    for line in lines[1:] + ['']:
        if line.startswith('    ') and not para:
            if not verbatim:
                out += ['.PP', '.nf', '.RS 4']
                verbatim = True
            out.append(esc(line[4:]))
            continue
        if verbatim and line.strip():
            raise Problem('%s: a blank line must follow an indented block' % path)
        if verbatim:
            out += ['.RE', '.fi']
            verbatim = False
        if line.startswith('## '):
            out.append('.SH ' + line[3:].upper())
        elif not line.strip():
            out += paragraphs([para]) if para else []
            para = []
        else:
            para.append(line.strip())
    return name, section, '\n'.join(out) + '\n'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def parse_all(headers, problems):
    items = []
    for h in headers:
        items += parse_header(h, problems)
    return items


def main(argv):
    if len(argv) < 3:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    outdir, version = argv[0], argv[1]
    rest = argv[2:]
    pages = []
    if '--pages' in rest:
        pages = rest[rest.index('--pages') + 1:]
        rest = rest[:rest.index('--pages')]
    problems = []
    items = parse_all(rest, problems)
    for p in problems:
        # Reported here, failed by doc/check-man.py (a meson test).
        print('kdoc2man: warning: ' + p, file=sys.stderr)
    names = {i.name for i in items}
    for sec in ('1', '3', '7'):
        os.makedirs(os.path.join(outdir, 'man' + sec), exist_ok=True)
        for old in os.listdir(os.path.join(outdir, 'man' + sec)):
            os.unlink(os.path.join(outdir, 'man' + sec, old))
    for item in items:
        write(os.path.join(outdir, 'man3', item.name + '.3'), item_page(item, version, names))
    for p in pages:
        name, section, text = text_page(p, version)
        write(os.path.join(outdir, 'man' + section, '%s.%s' % (name, section)), text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
