/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * list.h - the one doubly linked list of the library (internal): circular,
 * with a sentinel head, the link embedded in the listed structure
 * (struct vcm_link, declared in <vcm/vcm.h> because struct vcm_res carries
 * one).
 */
#ifndef LIBVCM_LIST_H
#define LIBVCM_LIST_H

#include <stdbool.h>
#include <vcm/vcm.h>

#include "internal.h"

static inline void vcm_list_init(struct vcm_link *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool vcm_list_empty(const struct vcm_link *head)
{
	return head->next == head;
}

/* Put @node first. */
static inline void vcm_list_add(struct vcm_link *head, struct vcm_link *node)
{
	node->next = head->next;
	node->prev = head;
	head->next->prev = node;
	head->next = node;
}

/* Put @node last. */
static inline void vcm_list_add_tail(struct vcm_link *head, struct vcm_link *node)
{
	vcm_list_add(head->prev, node);
}

static inline void vcm_list_del(struct vcm_link *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node->prev = node;
}

#define vcm_list_entry(link, type, member) VCM_CONTAINER_OF(link, type, member)

/* The first entry, or NULL for an empty list. */
#define vcm_list_first(head, type, member) \
	(vcm_list_empty(head) ? NULL : vcm_list_entry((head)->next, type, member))

/* Walk the entries first to last; @pos must not be deleted meanwhile. */
#define vcm_list_for_each(pos, head, member)					\
	for ((pos) = vcm_list_entry((head)->next, __typeof__(*(pos)), member);	\
	     &(pos)->member != (head);						\
	     (pos) = vcm_list_entry((pos)->member.next, __typeof__(*(pos)), member))

#endif /* LIBVCM_LIST_H */
