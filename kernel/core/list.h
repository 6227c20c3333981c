// SPDX-License-Identifier: MIT
// Intrusive doubly-linked lists; a node knows whether it is linked, so double insertion is caught.
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct list_node {
    struct list_node *prev, *next; // both NULL while unlinked
};

struct list {
    struct list_node head; // circular sentinel
};

#define LIST_CONTAINER(node, type, field) ((type *)((char *)(node) - offsetof(type, field)))

static inline void list_init(struct list *l) {
    l->head.prev = l->head.next = &l->head;
}
static inline bool list_is_empty(const struct list *l) {
    return l->head.next == &l->head;
}
static inline bool list_node_is_linked(const struct list_node *n) {
    return n->next != NULL;
}
static inline void list_insert_before(struct list_node *pos, struct list_node *n) {
    struct list_node *prev = pos->prev; // read once: the stores may alias pos
    n->prev = prev;
    n->next = pos;
    prev->next = n;
    pos->prev = n;
}
static inline void list_push_back(struct list *l, struct list_node *n) {
    list_insert_before(&l->head, n);
}
// Takes n out of its list but leaves it looking linked: for nodes whose
// owner knows by other means whether they are (a thread's wait_node: its state).
static inline void list_unlink(struct list_node *n) {
    struct list_node *prev = n->prev, *next = n->next; // read once: the stores may alias n
    prev->next = next;
    next->prev = prev;
}
static inline void list_remove(struct list_node *n) {
    list_unlink(n);
    n->prev = n->next = NULL;
}
// Removes and returns the first node, or NULL if the list is empty.
static inline struct list_node *list_pop_front(struct list *l) {
    if (list_is_empty(l))
        return NULL;
    struct list_node *n = l->head.next;
    list_remove(n);
    return n;
}
static inline struct list_node *list_front(const struct list *l) {
    return list_is_empty(l) ? NULL : l->head.next;
}
static inline size_t list_len(const struct list *l) {
    size_t n = 0;
    for (const struct list_node *it = l->head.next; it != &l->head; it = it->next)
        n++;
    return n;
}

// Iterate; `it` may be removed from the list inside the body.
#define LIST_FOR_EACH(it, list, type, field)                                              \
    for (type *it = LIST_CONTAINER((list)->head.next, type, field),                      \
              *it##_next = LIST_CONTAINER(it->field.next, type, field);                  \
         &it->field != &(list)->head;                                                     \
         it = it##_next, it##_next = LIST_CONTAINER(it->field.next, type, field))
