/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * svg.c - pictures: a context's DVA space (its window, each reservation
 * bound or not, the pages that map it coloured by size, runs of pages
 * smaller than the buffer allows outlined) and a SoC's physical memory
 * (free blocks coloured by order, allocated ranges by the context whose
 * bound memory they are), as self-contained SVG.
 *
 * Every shape carries data-* attributes (kind, start, size, ...) so that
 * programs, and the tests, can read the picture back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vcm/debug.h>

#include "debug-internal.h"
#include "internal.h"
#include "mmu.h"
#include "soc-internal.h"
#include "vcm-internal.h"

#define SVG_LEFT	260	/* x of the bars; labels to the left */
#define SVG_WIDTH	1000	/* width of a bar */
#define SVG_ROW		22	/* height of a row */
#define SVG_BAR		16	/* height of a bar */
#define SVG_MAX_ROWS	256	/* rows drawn at most (the rest is counted) */
#define SOC_ROW_BYTES	(16ULL << 20)
#define SOC_ROW_SCALE_MAX 16	/* larger rows than 16 x 16 MiB: not drawn page by page */

static const char *const size_colours[VCM_PS_NR_SIZES] = { "#2e8b57", "#4169e1", "#ff8c00" };
static const char *const order_colours[] = {
	"#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
	"#08519c", "#08306b", "#d9f0d3", "#a6dba0", "#5aae61", "#1b7837",
};

/* Text with the five XML specials escaped. */
static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default: fputc(*s, out);
		}
	}
}

static void svg_open(FILE *out, unsigned rows, const char *title)
{
	unsigned height = 60 + (rows + 3) * SVG_ROW;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
		"font-family=\"monospace\" font-size=\"11\">\n", SVG_LEFT + SVG_WIDTH + 20, height);
	fputs("<title>", out);
	xml_text(out, title);
	fputs("</title>\n<text x=\"10\" y=\"20\" font-size=\"14\">", out);
	xml_text(out, title);
	fputs("</text>\n", out);
}

/* x of byte @off of @span bytes drawn on a bar */
static double bar_x(uint64_t off, uint64_t span)
{
	return SVG_LEFT + (double)off * SVG_WIDTH / (double)span;
}

static double bar_w(uint64_t len, uint64_t span)
{
	double w = (double)len * SVG_WIDTH / (double)span;

	return w < 0.5 ? 0.5 : w;
}

static void label(FILE *out, unsigned y, const char *text)
{
	fprintf(out, "<text x=\"10\" y=\"%u\">", y + SVG_BAR - 4);
	xml_text(out, text);
	fputs("</text>\n", out);
}

/* ---- a context ---- */

struct ctx_row {
	FILE *out;
	unsigned y;
	uint64_t res_start, span;	/* the row: the reservation and its guard gap */
};

static void draw_run(const struct vcm_ps_run *r, void *priv)
{
	struct ctx_row *row = priv;

	fprintf(row->out, "<rect data-kind=\"pages\" data-start=\"0x%llx\" data-size=\"0x%llx\" "
		"data-page=\"%s\" data-count=\"%lu\"%s%s%s x=\"%.2f\" y=\"%u\" width=\"%.2f\" "
		"height=\"%u\" fill=\"%s\"%s><title>%lu x %s at 0x%llx%s%s</title></rect>\n",
		(unsigned long long)r->dva, (unsigned long long)r->bytes,
		vcm_ps_size_name(r->size), r->n,
		r->reason < VCM_PS_NR_REASONS ? " data-reason=\"" : "",
		r->reason < VCM_PS_NR_REASONS ? vcm_ps_reason_name(r->reason) : "",
		r->reason < VCM_PS_NR_REASONS ? "\"" : "",
		bar_x(r->dva - row->res_start, row->span), row->y,
		bar_w(r->bytes, row->span), SVG_BAR, size_colours[r->size],
		r->reason < VCM_PS_NR_REASONS ? " stroke=\"red\"" : "",
		r->n, vcm_ps_size_name(r->size), (unsigned long long)r->dva,
		r->reason < VCM_PS_NR_REASONS ? ": " : "",
		r->reason < VCM_PS_NR_REASONS ? vcm_ps_reason_name(r->reason) : "");
}

static void draw_res(FILE *out, struct vcm *vcm, struct vcm_res *res, unsigned y, bool paged)
{
	vcm_size_t guard = paged ? vcm_mmu_guard_of(res) : 0;
	struct ctx_row row = { out, y, res->start, res->res_size + guard };
	char text[96];

	snprintf(text, sizeof(text), "0x%llx+0x%llx %s", (unsigned long long)res->start,
		 (unsigned long long)res->res_size, res->phys ? "bound" : "not bound");
	label(out, y, text);
	fprintf(out, "<rect data-kind=\"reservation\" data-start=\"0x%llx\" data-size=\"0x%llx\" "
		"data-bound=\"%d\" x=\"%d\" y=\"%u\" width=\"%.2f\" height=\"%u\" fill=\"%s\" "
		"stroke=\"#555\"/>\n", (unsigned long long)res->start,
		(unsigned long long)res->res_size, res->phys != NULL, SVG_LEFT, y,
		bar_w(res->res_size, row.span), SVG_BAR, res->phys ? "#eeeeee" : "#cccccc");
	if (guard)
		fprintf(out, "<rect data-kind=\"guard\" data-start=\"0x%llx\" data-size=\"0x%llx\" "
			"x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%u\" fill=\"#ffd700\">"
			"<title>guard gap</title></rect>\n",
			(unsigned long long)(res->start + res->res_size), (unsigned long long)guard,
			bar_x(res->res_size, row.span), y, bar_w(guard, row.span), SVG_BAR);
	if (res->phys && paged)
		vcm_ps_walk(vcm, res, NULL, draw_run, &row);
}

static void draw_overview(FILE *out, struct vcm *vcm, unsigned y)
{
	struct vcm_res_iter it;
	struct vcm_res *res;

	label(out, y, "window");
	fprintf(out, "<rect data-kind=\"window\" data-start=\"0x%llx\" data-size=\"0x%llx\" "
		"x=\"%d\" y=\"%u\" width=\"%d\" height=\"%u\" fill=\"#ffffff\" stroke=\"#000\"/>\n",
		(unsigned long long)vcm->start, (unsigned long long)vcm->size, SVG_LEFT, y,
		SVG_WIDTH, SVG_BAR);
	vcm_core_for_each_res(res, it, vcm_core(vcm))
		fprintf(out, "<rect data-kind=\"overview\" data-start=\"0x%llx\" x=\"%.2f\" y=\"%u\" "
			"width=\"%.2f\" height=\"%u\" fill=\"%s\"/>\n", (unsigned long long)res->start,
			bar_x(res->start - vcm->start, vcm->size), y,
			bar_w(res->res_size, vcm->size), SVG_BAR, res->phys ? "#2e8b57" : "#999999");
}

static void legend(FILE *out, unsigned y)
{
	unsigned s;

	for (s = 0; s < VCM_PS_NR_SIZES; s++)
		fprintf(out, "<rect x=\"%u\" y=\"%u\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%u\" y=\"%u\">%s pages</text>\n", SVG_LEFT + s * 120, y,
			size_colours[s], SVG_LEFT + s * 120 + 16, y + 10, vcm_ps_size_name(s));
	fprintf(out, "<text x=\"%u\" y=\"%u\">red outline: smaller than the buffer allows; "
		"grey: not bound; gold: guard gap</text>\n", SVG_LEFT + 380, y + 10);
}

VCM_EXPORT int vcm_svg_context(struct vcm *vcm, FILE *out)
{
	struct vcm_res_iter it;
	struct vcm_iommu_view info;
	struct vcm_res *res;
	unsigned rows, i = 0;
	char name[80], title[160];
	unsigned long nres;
	bool paged;

	if (!vcm_valid(vcm) || !out)
		return -EINVAL;
	vcm_debug_context_name(vcm, name, sizeof(name), &info);
	paged = vcm->driver->res == vcm_mmu_vcm_driver.res;
	vcm_lock(vcm);
	nres = vcm_core_nres(vcm_core(vcm));
	rows = nres < SVG_MAX_ROWS ? (unsigned)nres : SVG_MAX_ROWS;
	snprintf(title, sizeof(title), "%s: DVA 0x%llx+0x%llx, %lu reservation(s)", name,
		 (unsigned long long)vcm->start, (unsigned long long)vcm->size, nres);
	svg_open(out, rows + 1, title);
	draw_overview(out, vcm, 36);
	vcm_core_for_each_res(res, it, vcm_core(vcm)) {
		if (i == SVG_MAX_ROWS)
			break;
		draw_res(out, vcm, res, 36 + (++i) * SVG_ROW, paged);
	}
	if (nres > SVG_MAX_ROWS)
		label(out, 36 + (i + 1) * SVG_ROW, "(more reservations not drawn)");
	vcm_unlock(vcm);
	legend(out, 36 + (i + 2) * SVG_ROW);
	fputs("</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}

/* ---- a SoC ---- */

/* Who owns an allocated PA range: a part of a phys bound in a live context. */
struct owner {
	vcm_addr_t start, end;
	char name[80];
};

struct owners {
	struct vcm_soc *soc;
	struct owner *o;
	size_t n, cap;
	int err;
};

static void owner_add(struct owners *ow, vcm_addr_t start, vcm_size_t size, const char *name)
{
	if (ow->n == ow->cap) {
		size_t cap = ow->cap ? 2 * ow->cap : 64;
		struct owner *o = realloc(ow->o, cap * sizeof(*o));

		if (!o) {
			ow->err = -ENOMEM;
			return;
		}
		ow->o = o;
		ow->cap = cap;
	}
	ow->o[ow->n].start = start;
	ow->o[ow->n].end = start + size;
	snprintf(ow->o[ow->n].name, sizeof(ow->o[ow->n].name), "%s", name);
	ow->n++;
}

static int collect_owners(struct vcm *vcm, void *priv)
{
	struct vcm_res_iter it;
	struct owners *ow = priv;
	struct vcm_iommu_view info;
	struct vcm_res *res;
	char name[80];
	unsigned i;

	if (vcm_context_soc(vcm) != ow->soc)
		return 0;
	vcm_debug_context_name(vcm, name, sizeof(name), &info);
	vcm_lock(vcm);
	vcm_core_for_each_res(res, it, vcm_core(vcm))
		for (i = 0; res->phys && i < res->phys->count; i++)
			owner_add(ow, res->phys->parts[i].start, res->phys->parts[i].size, name);
	vcm_unlock(vcm);
	return ow->err;
}

static const char *owner_of(const struct owners *ow, vcm_addr_t pa)
{
	size_t i;

	for (i = 0; i < ow->n; i++)
		if (pa >= ow->o[i].start && pa < ow->o[i].end)
			return ow->o[i].name;
	return NULL;
}

/* One stretch of a row: free of one order, or allocated to one owner. */
struct stretch {
	vcm_addr_t start;
	vcm_size_t size;
	int order;		/* free: the block order; -1: allocated */
	const char *owner;	/* allocated: NULL if no context owns it */
	unsigned long blocks;
};

struct soc_draw {
	FILE *out;
	unsigned y;
	vcm_addr_t row_start;
	vcm_size_t row_bytes;
	struct stretch cur;
};

static void stretch_flush(struct soc_draw *d)
{
	const struct stretch *s = &d->cur;
	double x = bar_x(s->start - d->row_start, d->row_bytes);
	double w = bar_w(s->size, d->row_bytes);

	if (!s->size)
		return;
	if (s->order >= 0) {
		fprintf(d->out, "<rect data-kind=\"free\" data-start=\"0x%llx\" data-size=\"0x%llx\" "
			"data-order=\"%d\" data-count=\"%lu\" x=\"%.2f\" y=\"%u\" width=\"%.2f\" "
			"height=\"%u\" fill=\"%s\"><title>free: %lu block(s) of order %d at 0x%llx"
			"</title></rect>\n", (unsigned long long)s->start, (unsigned long long)s->size,
			s->order, s->blocks, x, d->y, w, SVG_BAR, order_colours[s->order], s->blocks,
			s->order, (unsigned long long)s->start);
		return;
	}
	fprintf(d->out, "<rect data-kind=\"%s\" data-start=\"0x%llx\" data-size=\"0x%llx\" ",
		s->owner ? "owned" : "allocated", (unsigned long long)s->start,
		(unsigned long long)s->size);
	if (s->owner) {
		fputs("data-owner=\"", d->out);
		xml_text(d->out, s->owner);
		fputs("\" ", d->out);
	}
	fprintf(d->out, "x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%u\" fill=\"%s\"><title>",
		x, d->y, w, SVG_BAR, s->owner ? "#d62728" : "#7f7f7f");
	xml_text(d->out, s->owner ? s->owner : "allocated: page tables, pins, drivers");
	fprintf(d->out, " 0x%llx+0x%llx</title></rect>\n", (unsigned long long)s->start,
		(unsigned long long)s->size);
}

static void stretch_add(struct soc_draw *d, vcm_addr_t start, vcm_size_t size, int order,
			const char *owner)
{
	struct stretch *s = &d->cur;

	if (s->size && s->start + s->size == start && s->order == order &&
	    (order >= 0 || s->owner == owner ||
	     (s->owner && owner && !strcmp(s->owner, owner)))) {
		s->size += size;
		s->blocks++;
		return;
	}
	stretch_flush(d);
	s->start = start;
	s->size = size;
	s->order = order;
	s->owner = owner;
	s->blocks = 1;
}

/* The largest aligned free block at @pa within [@pa, @end). */
static unsigned free_block_order(vcm_addr_t base, vcm_addr_t pa, vcm_addr_t end)
{
	unsigned order = 0;

	while (order < VCM_SOC_MAX_ORDER &&
	       VCM_IS_ALIGNED(pa - base, VCM_ORDER_BYTES(order + 1)) &&
	       pa + VCM_ORDER_BYTES(order + 1) <= end)
		order++;
	return order;
}

/* A run of free pages [@pa, @end): the buddy's blocks, largest aligned first. */
static void draw_free_run(struct soc_draw *d, vcm_addr_t base, vcm_addr_t pa, vcm_addr_t end)
{
	while (pa < end) {
		unsigned order = free_block_order(base, pa, end);

		stretch_add(d, pa, VCM_ORDER_BYTES(order), (int)order, NULL);
		pa += VCM_ORDER_BYTES(order);
	}
}

static void draw_row(struct soc_draw *d, struct vcm_soc *soc, const struct owners *ow,
		     vcm_addr_t base, vcm_addr_t end)
{
	vcm_addr_t pa = d->row_start, free_from = 0;
	bool in_free = false;

	d->cur.size = 0;
	for (; pa < end; pa += VCM_PAGE_SIZE) {
		bool used = vcm_soc_page_is_allocated(soc, pa);

		if (!used && !in_free) {
			in_free = true;
			free_from = pa;
		} else if (used) {
			if (in_free)
				draw_free_run(d, base, free_from, pa);
			in_free = false;
			stretch_add(d, pa, VCM_PAGE_SIZE, -1, owner_of(ow, pa));
		}
	}
	if (in_free)
		draw_free_run(d, base, free_from, end);
	stretch_flush(d);
}

/* Bytes per row for a bank of @size: 16 MiB, more for banks above 4 GiB. */
static vcm_size_t row_bytes_for(vcm_size_t size)
{
	vcm_size_t row_bytes = SOC_ROW_BYTES;

	while (size / row_bytes > SVG_MAX_ROWS)
		row_bytes *= 2;
	return row_bytes;
}

static bool too_large(vcm_size_t size)
{
	return row_bytes_for(size) > SOC_ROW_BYTES * SOC_ROW_SCALE_MAX;
}

static unsigned bank_rows(vcm_size_t size)
{
	vcm_size_t row_bytes = row_bytes_for(size);

	return too_large(size) ? 1 : (unsigned)((size + row_bytes - 1) / row_bytes);
}

static unsigned draw_bank(FILE *out, struct vcm_soc *soc, const struct owners *ow,
			  vcm_addr_t base, vcm_size_t size, unsigned y)
{
	struct soc_draw d = { .out = out };
	vcm_size_t row_bytes = row_bytes_for(size);
	char text[96];

	if (too_large(size)) {
		snprintf(text, sizeof(text), "bank 0x%llx+0x%llx: too large to draw page by page",
			 (unsigned long long)base, (unsigned long long)size);
		label(out, y, text);
		return y + SVG_ROW;
	}
	d.row_bytes = row_bytes;
	for (d.row_start = base; d.row_start < base + size; d.row_start += row_bytes) {
		vcm_addr_t end = d.row_start + row_bytes < base + size ? d.row_start + row_bytes
								       : base + size;

		snprintf(text, sizeof(text), "0x%llx", (unsigned long long)d.row_start);
		label(out, y, text);
		d.y = y;
		draw_row(&d, soc, ow, base, end);
		y += SVG_ROW;
	}
	return y;
}

VCM_EXPORT int vcm_svg_soc(struct vcm_soc *soc, FILE *out)
{
	vcm_addr_t base[VCM_SOC_MAX_BANKS];
	vcm_size_t size[VCM_SOC_MAX_BANKS];
	struct owners ow = { .soc = soc };
	unsigned i, n, rows = 0, y = 36;
	char title[128];
	int ret;

	if (vcm_is_err_or_null(soc) || !out)
		return -EINVAL;
	ret = vcm_for_each_context(collect_owners, &ow);
	if (ret) {
		free(ow.o);
		return ret;
	}
	n = vcm_soc_banks(soc, base, size, VCM_SOC_MAX_BANKS);
	for (i = 0; i < n; i++)
		rows += bank_rows(size[i]);
	snprintf(title, sizeof(title), "SoC: %u bank(s), %llu of %llu KiB free", n,
		 (unsigned long long)(vcm_soc_free_bytes(soc) >> 10),
		 (unsigned long long)(vcm_soc_total_bytes(soc) >> 10));
	svg_open(out, rows, title);
	for (i = 0; i < n; i++)
		y = draw_bank(out, soc, &ow, base[i], size[i], y);
	fprintf(out, "<text x=\"%d\" y=\"%u\">free blocks: light (order 0) to dark (order 8), "
		"green (orders 9-12); red: bound memory of a context; grey: other allocations"
		"</text>\n</svg>\n", SVG_LEFT, y + 12);
	free(ow.o);
	return ferror(out) ? -EIO : 0;
}
