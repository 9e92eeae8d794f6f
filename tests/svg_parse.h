/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * svg_parse.h - a small, strict XML reader for the tests of the pictures:
 * every element with its attributes, nesting checked (each end tag closes
 * the element open), attribute values quoted, entities from the five XML
 * ones only.  Enough to read what libvcm writes back, not a general parser.
 */
#ifndef TESTS_SVG_PARSE_H
#define TESTS_SVG_PARSE_H

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SVGP_MAX_ATTRS	16
#define SVGP_MAX_DEPTH	16

struct svgp_elem {
	char name[16];
	unsigned nattr;
	char key[SVGP_MAX_ATTRS][24];
	char val[SVGP_MAX_ATTRS][128];
	unsigned depth;
};

struct svgp {
	struct svgp_elem *e;
	size_t n, cap;
	const char *err;	/* NULL: well formed */
};

static inline const char *svgp_attr(const struct svgp_elem *e, const char *key)
{
	unsigned i;

	for (i = 0; i < e->nattr; i++)
		if (!strcmp(e->key[i], key))
			return e->val[i];
	return NULL;
}

static inline unsigned long long svgp_num(const struct svgp_elem *e, const char *key)
{
	const char *v = svgp_attr(e, key);

	return v ? strtoull(v, NULL, 0) : 0;
}

static inline bool svgp_word(const char **p, char *out, size_t len)
{
	size_t n = 0;

	while (isalnum((unsigned char)**p) || **p == '-' || **p == ':' || **p == '_') {
		if (n + 1 >= len)
			return false;
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	return n > 0;
}

/* An attribute value up to the closing quote, entities decoded. */
static inline bool svgp_value(const char **p, char *out, size_t len)
{
	static const char *const ent[][2] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&apos;", "'" },
	};
	size_t n = 0;
	unsigned i;

	if (**p != '"')
		return false;
	for ((*p)++; **p && **p != '"';) {
		char c = **p;

		if (c == '<')
			return false;
		if (c == '&') {
			for (i = 0; i < 5 && strncmp(*p, ent[i][0], strlen(ent[i][0])); i++)
				;
			if (i == 5)
				return false;
			c = ent[i][1][0];
			*p += strlen(ent[i][0]);
		} else {
			(*p)++;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = '\0';
	if (**p != '"')
		return false;
	(*p)++;
	return true;
}

static inline struct svgp_elem *svgp_new(struct svgp *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->e = realloc(s->e, s->cap * sizeof(*s->e));
	}
	memset(&s->e[s->n], 0, sizeof(s->e[0]));
	return &s->e[s->n++];
}

/* Parse @text; s->err says what is wrong, NULL if it is well formed. */
static inline void svgp_parse(struct svgp *s, const char *text)
{
	char stack[SVGP_MAX_DEPTH][16];
	unsigned depth = 0;
	const char *p = text;

	memset(s, 0, sizeof(*s));
	if (!strncmp(p, "<?xml", 5)) {
		p = strstr(p, "?>");
		if (!p) {
			s->err = "unterminated declaration";
			return;
		}
		p += 2;
	}
	while (*p) {
		struct svgp_elem *e;

		if (*p != '<') {	/* text: no raw '>' (libvcm escapes it) */
			if (*p == '>') {
				s->err = "stray >";
				return;
			}
			p++;
			continue;
		}
		p++;
		if (*p == '/') {
			char name[16];

			p++;
			if (!svgp_word(&p, name, sizeof(name)) || *p != '>' || !depth ||
			    strcmp(stack[depth - 1], name)) {
				s->err = "bad end tag";
				return;
			}
			depth--;
			p++;
			continue;
		}
		e = svgp_new(s);
		e->depth = depth;
		if (!svgp_word(&p, e->name, sizeof(e->name))) {
			s->err = "bad tag name";
			return;
		}
		for (;;) {
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '/' && p[1] == '>') {
				p += 2;
				break;
			}
			if (*p == '>') {
				if (depth == SVGP_MAX_DEPTH) {
					s->err = "too deep";
					return;
				}
				strcpy(stack[depth++], e->name);
				p++;
				break;
			}
			if (e->nattr == SVGP_MAX_ATTRS ||
			    !svgp_word(&p, e->key[e->nattr], sizeof(e->key[0])) || *p++ != '=' ||
			    !svgp_value(&p, e->val[e->nattr], sizeof(e->val[0]))) {
				s->err = "bad attribute";
				return;
			}
			e->nattr++;
		}
	}
	if (depth)
		s->err = "unclosed element";
}

static inline void svgp_free(struct svgp *s)
{
	free(s->e);
}

#endif /* TESTS_SVG_PARSE_H */
