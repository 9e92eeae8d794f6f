/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * skip-under-valgrind PROGRAM ARGS... - run PROGRAM, or exit 77 ("skipped"
 * for meson) when VCM_UNDER_VALGRIND is set: for test programs built with
 * sanitizers, which cannot run under valgrind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (getenv("VCM_UNDER_VALGRIND"))
		return 77;
	if (argc < 2) {
		fprintf(stderr, "usage: skip-under-valgrind PROGRAM [ARGS...]\n");
		return 2;
	}
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 2;
}
