/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * record-replay TRACE PROGRAM [ARG...] - run PROGRAM with VCM_TRACE=TRACE
 * (it must succeed and record calls), then replay the trace in this
 * process: every result must be as recorded.  The meson tests record each
 * example and the fuzzer's regression traces this way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "replay.h"

int main(int argc, char **argv)
{
	struct vcm_rp_result r;
	struct vcm_rp_trace t;
	char err[512];
	int status, ret;
	FILE *f;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: record-replay TRACE PROGRAM [ARG...]\n");
		return 2;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		setenv("VCM_TRACE", argv[1], 1);
		execv(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "record-replay: %s failed while recording\n", argv[2]);
		return 1;
	}
	f = fopen(argv[1], "r");
	if (!f || vcm_rp_load(f, argv[1], &t, err, sizeof(err))) {
		fprintf(stderr, "record-replay: %s\n", f ? err : "cannot open the trace");
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	vcm_rp_run(&t, NULL, t.nev, false, NULL, &r);
	if (r.status != VCM_RP_OK)
		printf("%s:%u: differs\n  expected: %s\n  got:      %s\n", argv[1], r.line,
		       r.expected, r.got);
	else
		printf("%s: %u calls replayed, every result as recorded\n", argv[1], r.calls);
	ret = r.status == VCM_RP_OK && r.calls > 0 ? 0 : 1;
	vcm_rp_free(&t);
	return ret;
}
