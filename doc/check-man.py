#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-man.py - the man pages are complete and say what the headers say.

    check-man.py [--selftest] MANDIR LIB INSTALLED_JSON BINDIR --cc CC [ARGS...]
                 --headers HEADER... --pages PAGE.txt...

Checks (a meson test; every failure says what to write where):
- every kernel-doc comment of the public headers is well formed and is
  followed by what it documents;
- every symbol LIB exports has a page in MANDIR/man3;
- every page's SYNOPSIS agrees with the headers: functions are compiled
  against the installed headers (a pointer of the page's prototype is
  initialised with the function), macros must be defined, and structs,
  enums, unions and typedefs must read as in the header;
- every page's #include line names the header that declares the name;
- every program installed in BINDIR (INSTALLED_JSON is meson's
  intro-installed.json) has a page in man1, and vcm(7) exists.

--selftest plants three bugs (a page missing for an exported symbol, a
wrong argument in a function's synopsis, an extra member in a struct's) and
succeeds only if each is caught.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kdoc2man  # noqa: E402

TEMPLATE = """    /**
     * {name}() - one-line summary.
{args}     *
     * What it does, when, and what the caller must know.
     *
     * Return: what it returns; its errors (-EINVAL if ..., -ENOMEM ...).
     */"""


def unroff(text):
    """The text a roff line shows (enough for the synopsis)."""
    text = re.sub(r'\\f[BIRP]', '', text)
    return text.replace('\\-', '-').replace('\\e', '\\').replace('\\&', '')


def synopsis(path):
    """(include, declaration) of a section 3 page."""
    lines = open(path, encoding='utf-8').read().split('\n')
    start = lines.index('.SH SYNOPSIS')
    include, decl = None, []
    for line in lines[start + 1:]:
        if line.startswith('.SH') or line == '.fi':
            break
        if line.startswith('.B #include'):
            include = line.split()[-1].strip('<>')
        elif not line.startswith('.'):
            decl.append(unroff(line))
    return include, '\n'.join(decl)


def flat(text):
    return ' '.join(text.split())


def header_text(name, kind, sources):
    """The definition of a struct/enum/union/typedef, read from the headers."""
    for src in sources.values():
        if kind in ('struct', 'enum', 'union'):
            m = re.search(r'^%s\s+%s\s*\{' % (kind, re.escape(name)), src, re.M)
            if m:
                end = kdoc2man.find_closing(src, src.index('{', m.start()))
                return src[m.start():src.index(';', end) + 1]
        else:
            n = re.escape(name)
            m = re.search(r'^typedef\b[^;]*(?:\b%s\s*;|\(\s*\*\s*%s\s*\)[^;]*;)' % (n, n), src, re.M)
            if m:
                return m.group(0)
    return None


def declared_in(name, sources):
    """The headers whose text declares name."""
    return [h for h, src in sources.items()
            if re.search(r'\b%s\s*\(' % re.escape(name), src) or
            re.search(r'(#\s*define|struct|enum|union|typedef[^;]*)\s+\b%s\b' % re.escape(name), src)]


def template(name, sources):
    """A kernel-doc comment to write for name, with its arguments."""
    args = ''
    for src in sources.values():
        m = re.search(r'\b%s\s*\(([^)]*)\)\s*;' % re.escape(name), src)
        if m:
            for a in m.group(1).split(','):
                w = re.findall(r'\w+', a)
                if w and w != ['void']:
                    args += '     * @%s: meaning.\n' % w[-1]
            break
    return TEMPLATE.format(name=name, args=args)


def main(argv):
    selftest = argv[0] == '--selftest'
    if selftest:
        argv = argv[1:]
    mandir, lib, installed_json, bindir = argv[:4]
    rest = argv[4:]
    cc = rest[rest.index('--cc') + 1:rest.index('--headers')]
    headers = rest[rest.index('--headers') + 1:rest.index('--pages')]
    page_sources = rest[rest.index('--pages') + 1:]
    errors = []
    sources = {h: open(h, encoding='utf-8').read() for h in headers}
    by_base = {os.path.basename(h): h for h in headers}

    # 1. Well-formed kernel-doc.
    problems = []
    items = kdoc2man.parse_all(headers, problems)
    errors += problems
    documented = {i.name: i for i in items}
    planted = {}

    # 2. A page for every exported symbol.
    nm = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                        capture_output=True, text=True).stdout
    exported = sorted({ln.split()[2].split('@')[0] for ln in nm.splitlines()
                       if len(ln.split()) == 3 and ln.split()[1] != 'A'})
    if selftest:
        planted['missing page'] = exported[-1]
    for name in exported:
        if name not in planted.values() and os.path.exists(os.path.join(mandir, 'man3', name + '.3')):
            continue
        where = declared_in(name, sources)
        if where:
            errors.append('%s is exported but has no man page: write this comment right above '
                          'its declaration in %s (doc/kdoc2man.py makes the page from it):\n%s'
                          % (name, where[0], template(name, sources)))
        else:
            errors.append('%s is exported but declared in no header of include/meson.build\'s '
                          'vcm_headers: declare it in an installed header (list a new header '
                          'there), with a kernel-doc comment' % name)

    # 3. Every page's synopsis against the headers.
    checks = []
    for page in sorted(os.listdir(os.path.join(mandir, 'man3'))):
        name = page[:-2]
        path = os.path.join(mandir, 'man3', page)
        include, decl = synopsis(path)
        item = documented.get(name)
        if not item:
            errors.append('%s: no kernel-doc comment in the headers documents %s' % (path, name))
            continue
        base = os.path.basename(include or '')
        if base not in by_base or not re.search(r'\b%s\b' % re.escape(name), sources[by_base[base]]):
            errors.append('%s: the SYNOPSIS includes <%s>, which does not declare %s'
                          % (path, include, name))
        if selftest and item.kind == 'function' and 'wrong argument' not in planted \
                and not item.static_inline and item.args and name not in planted.values():
            planted['wrong argument'] = name
            decl = re.sub(r'\b%s\s*\(' % name, name + '(long planted, ', decl, count=1)
        if selftest and item.kind == 'struct' and 'extra member' not in planted:
            planted['extra member'] = name
            decl = decl.replace('{', '{ int planted;', 1)
        if item.kind == 'function':
            proto = flat(decl).rstrip(';')
            proto = re.sub(r'^static inline\s+', '', proto)
            ptr, n = re.subn(r'\b%s\s*\(' % re.escape(name), '(*vcm_check_%s)(' % name, proto, count=1)
            if not n:
                errors.append('%s: the SYNOPSIS does not declare %s()' % (path, name))
                continue
            checks.append('#line 1 "%s"\nstatic __attribute__((unused)) %s = &%s;\n'
                          % (path, ptr, name))
        elif item.kind == 'variable':
            # the page's declaration, repeated, must agree with the header's
            checks.append('#line 1 "%s"\n%s\n' % (path, flat(decl)))
        elif item.kind in ('macro', 'function-macro'):
            checks.append('#line 1 "%s"\n#ifndef %s\n#error "%s is not defined by the headers"\n'
                          '#endif\n' % (path, name, name))
        else:
            want = header_text(name, item.kind, sources)
            if want is None or flat(want) != flat(decl):
                errors.append('%s: the SYNOPSIS of %s %s differs from the header:\n  page:   %s\n'
                              '  header: %s' % (path, item.kind, name, flat(decl), want and flat(want)))
    incs = ''.join('#include <vcm/%s>\n' % b for b in sorted(by_base) if b != 'vcm.h')
    with tempfile.TemporaryDirectory() as tmp:
        c = os.path.join(tmp, 'synopsis.c')
        with open(c, 'w', encoding='utf-8') as f:
            f.write('#include <vcm.h>\n' + incs + ''.join(checks))
        r = subprocess.run(cc + ['-fsyntax-only', '-Wall', '-Werror', '-c', c],
                           capture_output=True, text=True)
        if r.returncode:
            errors.append('the SYNOPSIS of these pages does not compile against the headers '
                          '(regenerate with ninja; if it persists, doc/kdoc2man.py misread a '
                          'declaration):\n' + r.stderr)

    # 4. Tools and the overview.
    installed = json.load(open(installed_json, encoding='utf-8')).values()
    for dest in installed:
        if os.path.dirname(dest) == bindir:
            tool = os.path.basename(dest)
            if not os.path.exists(os.path.join(mandir, 'man1', tool + '.1')):
                errors.append('%s is installed in %s but has no man page: write doc/%s.1.txt '
                              '(the form of doc/vcm-fuzz.1.txt) and add it to vcm_man_sources '
                              'in doc/meson.build' % (tool, bindir, tool))
    if not os.path.exists(os.path.join(mandir, 'man7', 'vcm.7')):
        errors.append('vcm(7) is missing: doc/vcm.7.txt must be in vcm_man_sources')
    for p in page_sources:
        if not os.path.exists(p):
            errors.append('%s is listed in doc/meson.build but missing' % p)

    if selftest:
        text = '\n'.join(errors)
        missed = [what for what, name in planted.items() if not re.search(r'\b%s\b' % name, text)]
        for what, name in planted.items():
            print('check-man --selftest: %s (%s): %s' % (what, name, 'missed' if what in missed else 'caught'))
        return 1 if missed or len(planted) < 3 else 0
    for e in errors:
        print('check-man: ' + e)
    if errors:
        return 1
    n = sum(len(os.listdir(os.path.join(mandir, d))) for d in ('man1', 'man3', 'man7'))
    print('check-man: %d pages; %d exported symbols, %d documented names, every synopsis agrees '
          'with the headers' % (n, len(exported), len(items)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
