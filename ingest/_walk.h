/* ingest._walk, lexbor's and selectolax's structs as the walk reads them, its set-up state, byte
 * buffers.
 * Part of ingest/_walk.c: included once, by it. */
#ifndef FAZHI_INGEST__WALK_H
#define FAZHI_INGEST__WALK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* lexbor/dom/interfaces/node.h, character_data.h and core/str.h as selectolax 1.0.2 bundles them (lexbor
 * 3.1; the same fields selectolax's lexbor.pxd declares). Checked at set-up (check_tree). */
typedef struct wnode wnode;
struct wnode {
    void *events;
    uintptr_t local_name;
    uintptr_t prefix;
    uintptr_t ns;
    void *owner_document;
    wnode *next;
    wnode *prev;
    wnode *parent;
    wnode *first_child;
    wnode *last_child;
    void *user;
    int type;
};
typedef struct {
    unsigned char *data;
    size_t length;
} wstr;
typedef struct {
    wnode node;
    wstr data;
} wchardata;

#define NODE_ELEMENT 1
#define NODE_TEXT 3

/* selectolax's LexborNode object (struct __pyx_obj_10selectolax_6lexbor_LexborNode in its lexbor.c); its size
 * size, its node, parser and flag fields are checked at set-up against nodes selectolax made. */
typedef struct {
    PyObject_HEAD
    void *vtab;
    wnode *node;
    PyObject *parser;
    int is_fragment_root;
    int is_template_content;
} NodeObject;

/* lexbor functions selectolax exports (their addresses come from ctypes, at set-up) */
typedef void *(*first_attr_f)(void *element);
typedef void *(*next_attr_f)(void *attr);
typedef const unsigned char *(*attr_name_f)(void *attr, size_t *len);
typedef const unsigned char *(*attr_value_f)(void *attr, size_t *len);
typedef uintptr_t (*tag_id_f)(void *node);
typedef void *(*node_f)(void *node);
typedef int (*type_f)(void *node);

/* what the walk does with an element, by tag id: the values of blocks.py's _INLINE … _ANCHOR */
enum { A_INLINE, A_LEAF, A_META, A_SKIP, A_STRIP, A_BLOCK, A_BREAK, A_ANCHOR };
#define SKIPPED (-2)
#define HIDDEN (-3)

static struct {
    int ready;
    PyTypeObject *node_type;
    PyObject *names; /* tuple of 256: a block tag's name, else None */
    PyTypeObject *line_type; /* blocks.Line */
    PyObject *empty;
    unsigned char kinds[256];
    uintptr_t text_id, noscript_id, undefined_id;
    first_attr_f first_attr;
    next_attr_f next_attr;
    attr_name_f attr_name;
    attr_value_f attr_value;
    tag_id_f tag_id;
    node_f first_child, next, parent;
    type_f type;
} S;

/* ---- growable byte buffers ---- */
typedef struct {
    char *data;
    size_t len, cap;
} buf_t;

/* Room for n more bytes. */
static int buf_reserve(buf_t *b, size_t n) {
    if (n > (size_t)PY_SSIZE_T_MAX - b->len) {
        PyErr_NoMemory();
        return -1;
    }
    if (b->data != NULL && b->len + n <= b->cap) return 0; /* never a NULL buffer: callers index it */
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) {
        if (cap > (size_t)PY_SSIZE_T_MAX / 2) {
            cap = b->len + n;
            break;
        }
        cap *= 2;
    }
    char *grown = PyMem_Realloc(b->data, cap);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = grown;
    b->cap = cap;
    return 0;
}

static int buf_add(buf_t *b, const void *src, size_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    if (n) memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

#endif
