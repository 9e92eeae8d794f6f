#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-docs.py SRCDIR - the documents tell the truth about the tree.

- README.md opens with exactly the two commands (tools/dev demo, tools/dev
  test);
- README's C program is examples/quick-start.c (which meson test runs);
- every document a README, a header, a source or a script refers to is in
  the tree: each Markdown file named must exist, no "SPEC" document is cited, and
  each path of the tree that README.md and doc/ give in `backquotes` exists.
"""

import os
import re
import sys

TOP_DIRS = ('include', 'libvcm', 'tests', 'examples', 'bench', 'tools', 'doc', 'debian', '.ci')
TEXT_EXT = ('.md', '.c', '.h', '.in', '.txt', '.py', '.sh', '.build', '.map')


def tree_files(src):
    for top in TOP_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(src, top)):
            # Skip what a Debian build leaves in debian/ (package trees).
            dirnames[:] = [d for d in dirnames if not (top == 'debian' and d != 'source')]
            for f in filenames:
                if f.endswith(TEXT_EXT) or '.' not in f:
                    yield os.path.join(dirpath, f)
    for f in ('README.md', 'NEWS', 'meson.build', 'meson_options.txt'):
        if os.path.exists(os.path.join(src, f)):
            yield os.path.join(src, f)


def main(src):
    errors = []
    readme = open(os.path.join(src, 'README.md'), encoding='utf-8').read()

    # 1. The two commands first.
    m = re.match(r'# [^\n]*\n\n```sh\n(.*?)```\n', readme, re.S)
    cmds = [ln.split('#')[0].strip() for ln in m.group(1).splitlines()] if m else []
    if cmds != ['tools/dev demo', 'tools/dev test']:
        errors.append('README.md must open with its title and a ```sh block of exactly the two '
                      'commands "tools/dev demo" and "tools/dev test"')

    # 2. README's program is examples/quick-start.c.
    m = re.search(r'```c\n(.*?)```\n', readme, re.S)
    prog = open(os.path.join(src, 'examples', 'quick-start.c'), encoding='utf-8').read()
    prog = prog[prog.index('#include'):]
    if not m or m.group(1) != prog:
        errors.append('the first ```c block of README.md must be examples/quick-start.c from its '
                      'first #include on, character for character (edit both)')

    # 3. Documents referred to exist.
    for path in tree_files(src):
        try:
            text = open(path, encoding='utf-8').read()
        except UnicodeDecodeError:
            continue
        here = os.path.dirname(path)
        rel = os.path.relpath(path, src)
        for ref in sorted(set(re.findall(r'[\w./-]*\w\.md\b', text))):
            if not any(os.path.exists(os.path.join(d, ref)) for d in (here, src)):
                errors.append('%s refers to %s, which is not in the tree' % (rel, ref))
        if rel != os.path.join('tools', 'check-docs.py') and re.search(r'\bSPEC\b', text):
            errors.append('%s cites SPEC, a document that is not in the tree: refer to the '
                          'header, man page or README that says it' % rel)
        if rel == 'README.md' or rel.startswith('doc' + os.sep):
            for ref in sorted(set(re.findall(r'`((?:%s)/[\w./-]+)`' % '|'.join(TOP_DIRS), text))):
                if not os.path.exists(os.path.join(src, ref.rstrip('/'))):
                    errors.append('%s names `%s`, which is not in the tree' % (rel, ref))

    for e in errors:
        print('check-docs: ' + e)
    if not errors:
        print('check-docs: README opens with the two commands, its program is '
              'examples/quick-start.c, every document referred to is in the tree')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
