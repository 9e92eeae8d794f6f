/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * codec.c - the fuzzer's two encodings of an operation: bytes (decoded by
 * fz_decode() for the seeded random driver and for libFuzzer alike) and one
 * line of text ("bind r=3 p=1"), the trace format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Fields an operation uses. */
enum {
	F_C = 1 << 0,
	F_R = 1 << 1,
	F_R2 = 1 << 2,
	F_P = 1 << 3,
	F_U = 1 << 4,
	F_B = 1 << 5,
	F_KIND = 1 << 6,
	F_N = 1 << 7,
	F_SEED = 1 << 8,
	F_SIZE = 1 << 9,
	F_OFF = 1 << 10,
	F_OFF2 = 1 << 11,
	F_LEN = 1 << 12,
};

struct op_desc {
	const char *name;
	unsigned fields;
	unsigned weight;	/* share of the 256 values of an opcode byte */
};

static const struct op_desc ops[FZ_NCODES] = {
	[FZ_NOP] = { "nop", 0, 0 },
	[FZ_CREATE] = { "create", F_C | F_KIND, 4 },
	[FZ_DESTROY] = { "destroy", F_C, 3 },
	[FZ_RESERVE] = { "reserve", F_R | F_C | F_SIZE, 20 },
	[FZ_UNRESERVE] = { "unreserve", F_R, 10 },
	[FZ_ALLOC] = { "alloc", F_P | F_C | F_SIZE, 22 },
	[FZ_FREE] = { "free", F_P, 14 },
	[FZ_BIND] = { "bind", F_R | F_P, 24 },
	[FZ_UNBIND] = { "unbind", F_R, 14 },
	[FZ_MAP] = { "map", F_R | F_C | F_P, 18 },
	[FZ_UNMAP] = { "unmap", F_R, 12 },
	[FZ_MAKE] = { "make", F_R | F_P | F_C | F_SIZE, 16 },
	[FZ_DESTROY_BINDING] = { "destroy_binding", F_R, 10 },
	[FZ_ACTIVATE] = { "activate", F_C, 12 },
	[FZ_DEACTIVATE] = { "deactivate", F_C, 12 },
	[FZ_WRITE] = { "write", F_R | F_OFF | F_LEN | F_SEED, 16 },
	[FZ_READ] = { "read", F_R | F_OFF | F_LEN, 14 },
	[FZ_COPY] = { "copy", F_R | F_OFF | F_R2 | F_OFF2 | F_LEN, 8 },
	[FZ_CPU_WRITE] = { "cpu_write", F_P | F_OFF | F_LEN | F_SEED, 5 },
	[FZ_FAIL_PAGE] = { "fail_page", F_C | F_N, 4 },
	[FZ_BADARG] = { "badarg", F_N, 3 },
	[FZ_USER_WRITE] = { "user_write", F_B | F_OFF | F_LEN | F_SEED, 2 },
	[FZ_UP_GET] = { "userptr_get", F_U | F_R | F_P | F_C | F_B | F_OFF | F_SIZE | F_N, 6 },
	[FZ_UP_PUT] = { "userptr_put", F_U, 4 },
	[FZ_PIN] = { "pin", F_P | F_B | F_OFF | F_SIZE | F_N, 3 },
};

static const char *const kind_names[FZ_NKINDS] = {
	[FZ_K_SOFT] = "soft",
	[FZ_K_O2O] = "o2o",
	[FZ_K_VMM] = "vmm",
	[FZ_K_IOMMU] = "iommu",
	[FZ_K_S5P] = "s5p",
};

static const char *const fail_names[FZ_NFAILS] = {
	[FZ_OK] = "ok",
	[FZ_F_ERRNO] = "errno",
	[FZ_F_WARN] = "warning",
	[FZ_F_STATE] = "state",
	[FZ_F_FREE] = "free-bytes",
	[FZ_F_MAP] = "translation",
	[FZ_F_BYTES] = "bytes",
	[FZ_F_DRIVER] = "driver",
	[FZ_F_LEAK] = "leak",
};

const char *fz_op_name(unsigned code)
{
	return code < FZ_NCODES ? ops[code].name : "?";
}

const char *fz_fail_name(enum fz_fail f)
{
	return (unsigned)f < FZ_NFAILS ? fail_names[f] : "?";
}

/* The opcode for a byte: the weights cut 0..255 into ranges. */
static unsigned code_for_byte(uint8_t byte)
{
	unsigned code, acc = 0;

	for (code = 1; code < FZ_NCODES; code++) {
		acc += ops[code].weight;
		if (byte < acc)
			return code;
	}
	return FZ_NOP;
}

struct reader {
	const uint8_t *p;
	size_t left;
	bool short_read;
};

static uint64_t take(struct reader *rd, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes--) {
		if (!rd->left) {
			rd->short_read = true;
			return v;
		}
		v = v << 8 | *rd->p++;
		rd->left--;
	}
	return v;
}

size_t fz_decode(const uint8_t *data, size_t len, struct fz_op *op)
{
	struct reader rd = { data, len, false };
	unsigned f;

	if (!len)
		return 0;
	memset(op, 0, sizeof(*op));
	op->raw = true;
	op->code = (uint8_t)code_for_byte((uint8_t)take(&rd, 1));
	f = ops[op->code].fields;
	if (f & F_C)
		op->c = (uint8_t)take(&rd, 1);
	if (f & F_R)
		op->r = (uint8_t)take(&rd, 1);
	if (f & F_R2)
		op->r2 = (uint8_t)take(&rd, 1);
	if (f & F_P)
		op->p = (uint8_t)take(&rd, 1);
	if (f & F_U)
		op->u = (uint8_t)take(&rd, 1);
	if (f & F_B)
		op->b = (uint8_t)take(&rd, 1);
	if (f & F_KIND)
		op->kind = (uint8_t)take(&rd, 1);
	if (f & F_N)
		op->n = (uint32_t)take(&rd, 1);
	if (f & F_SEED)
		op->seed = (uint32_t)take(&rd, 2);
	if (f & F_SIZE)
		op->size = take(&rd, 3);
	if (f & F_OFF)
		op->off = take(&rd, 3);
	if (f & F_OFF2)
		op->off2 = take(&rd, 3);
	if (f & F_LEN)
		op->len = take(&rd, 3);
	if (rd.short_read)
		return 0;
	return len - rd.left;
}

static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= len)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + (size_t)n;
}

int fz_op_format(const struct fz_op *op, char *buf, size_t len)
{
	unsigned f = op->code < FZ_NCODES ? ops[op->code].fields : 0;
	size_t at = put(buf, len, 0, "%s", fz_op_name(op->code));

	if (f & F_C)
		at = put(buf, len, at, " c=%u", op->c);
	if (f & F_R)
		at = put(buf, len, at, " r=%u", op->r);
	if (f & F_R2)
		at = put(buf, len, at, " r2=%u", op->r2);
	if (f & F_P)
		at = put(buf, len, at, " p=%u", op->p);
	if (f & F_U)
		at = put(buf, len, at, " u=%u", op->u);
	if (f & F_B)
		at = put(buf, len, at, " b=%u", op->b);
	if (f & F_KIND)
		at = put(buf, len, at, " kind=%s",
			 op->kind < FZ_NKINDS ? kind_names[op->kind] : "?");
	if (f & F_N)
		at = put(buf, len, at, " n=%u", op->n);
	if (f & F_SIZE)
		at = put(buf, len, at, " size=%#" PRIx64, op->size);
	if (f & F_OFF)
		at = put(buf, len, at, " off=%#" PRIx64, op->off);
	if (f & F_OFF2)
		at = put(buf, len, at, " off2=%#" PRIx64, op->off2);
	if (f & F_LEN)
		at = put(buf, len, at, " len=%#" PRIx64, op->len);
	if (f & F_SEED)
		at = put(buf, len, at, " seed=%u", op->seed);
	return at < len ? 0 : -ENOSPC;
}

static int parse_kind(const char *v, uint8_t *kind)
{
	unsigned k;

	for (k = 0; k < FZ_NKINDS; k++) {
		if (!strcmp(v, kind_names[k])) {
			*kind = (uint8_t)k;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 0);
	return (errno || end == v || *end) ? -EINVAL : 0;
}

/* One "key=value" token into the field it names (if @op's code uses it). */
static int parse_field(struct fz_op *op, char *tok)
{
	unsigned f = ops[op->code].fields;
	char *eq = strchr(tok, '=');
	uint64_t v;

	if (!eq)
		return -EINVAL;
	*eq++ = '\0';
	if (!strcmp(tok, "kind") && (f & F_KIND))
		return parse_kind(eq, &op->kind);
	if (parse_u64(eq, &v))
		return -EINVAL;
	if (!strcmp(tok, "c") && (f & F_C) && v < 256)
		op->c = (uint8_t)v;
	else if (!strcmp(tok, "r") && (f & F_R) && v < 256)
		op->r = (uint8_t)v;
	else if (!strcmp(tok, "r2") && (f & F_R2) && v < 256)
		op->r2 = (uint8_t)v;
	else if (!strcmp(tok, "p") && (f & F_P) && v < 256)
		op->p = (uint8_t)v;
	else if (!strcmp(tok, "u") && (f & F_U) && v < 256)
		op->u = (uint8_t)v;
	else if (!strcmp(tok, "b") && (f & F_B) && v < 256)
		op->b = (uint8_t)v;
	else if (!strcmp(tok, "n") && (f & F_N) && v <= UINT32_MAX)
		op->n = (uint32_t)v;
	else if (!strcmp(tok, "seed") && (f & F_SEED) && v <= UINT32_MAX)
		op->seed = (uint32_t)v;
	else if (!strcmp(tok, "size") && (f & F_SIZE))
		op->size = v;
	else if (!strcmp(tok, "off") && (f & F_OFF))
		op->off = v;
	else if (!strcmp(tok, "off2") && (f & F_OFF2))
		op->off2 = v;
	else if (!strcmp(tok, "len") && (f & F_LEN))
		op->len = v;
	else
		return -EINVAL;
	return 0;
}

int fz_op_parse(const char *line, struct fz_op *op)
{
	char buf[512], *tok, *save;
	unsigned code;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '\n' || *line == '#')
		return 1;
	if (strlen(line) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, line);
	memset(op, 0, sizeof(*op));
	tok = strtok_r(buf, " \t\r\n", &save);
	for (code = 0; code < FZ_NCODES; code++)
		if (!strcmp(tok, ops[code].name))
			break;
	if (code == FZ_NCODES)
		return -EINVAL;
	op->code = (uint8_t)code;
	while ((tok = strtok_r(NULL, " \t\r\n", &save)))
		if (parse_field(op, tok))
			return -EINVAL;
	return 0;
}
