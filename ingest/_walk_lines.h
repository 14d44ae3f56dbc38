/* ingest._walk, what the walk collects (nodes, block attributes, Lines).
 * Part of ingest/_walk.c: included once, by it. */
#ifndef FAZHI_INGEST__WALK_LINES_H
#define FAZHI_INGEST__WALK_LINES_H

#include "_walk_text.h"

/* The same object LexborNode.new(node, parser) makes. */
static PyObject *make_node(wnode *node, PyObject *root, wnode *root_node, PyObject *parser) {
    if (node == root_node) {
        Py_INCREF(root);
        return root;
    }
    PyObject *made = S.node_type->tp_new(S.node_type, S.empty, NULL);
    if (made == NULL) return NULL;
    NodeObject *view = (NodeObject *)made;
    view->node = node;
    Py_INCREF(parser);
    Py_XSETREF(view->parser, parser);
    view->is_fragment_root = 0;
    view->is_template_content = 0;
    return made;
}

static int append_new(PyObject *list, PyObject *item) {
    if (item == NULL) return -1;
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

/* f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower() over node.attributes (qualified names as keys, the
 * last of a name winning, values decoded with "replace"). */
static PyObject *block_attrs(wnode *node) {
    const unsigned char *id = NULL, *cls = NULL;
    size_t id_len = 0, cls_len = 0;
    if (node->type == NODE_ELEMENT) {
        for (void *attr = S.first_attr(node); attr != NULL; attr = S.next_attr(attr)) {
            size_t name_len = 0;
            const unsigned char *name = S.attr_name(attr, &name_len);
            if (name == NULL) return Py_NewRef(Py_None); /* not modelled: the Python walk */
            if (name_len == 2 && memcmp(name, "id", 2) == 0) {
                size_t value_len = 0;
                const unsigned char *value = S.attr_value(attr, &value_len);
                id = value;
                id_len = value ? value_len : 0;
            } else if (name_len == 5 && memcmp(name, "class", 5) == 0) {
                size_t value_len = 0;
                const unsigned char *value = S.attr_value(attr, &value_len);
                cls = value;
                cls_len = value ? value_len : 0;
            }
        }
    }
    if (id_len > (size_t)PY_SSIZE_T_MAX / 4 || cls_len > (size_t)PY_SSIZE_T_MAX / 4) return PyErr_NoMemory();
    int ascii = 1;
    for (size_t i = 0; ascii && i < id_len; i++) ascii = id[i] < 0x80;
    for (size_t i = 0; ascii && i < cls_len; i++) ascii = cls[i] < 0x80;
    if (ascii) {
        PyObject *out = PyUnicode_New((Py_ssize_t)(id_len + 1 + cls_len), 127);
        if (out == NULL) return NULL;
        Py_UCS1 *dst = PyUnicode_1BYTE_DATA(out);
        for (size_t i = 0; i < id_len; i++) dst[i] = (Py_UCS1)Py_TOLOWER(id[i]);
        dst[id_len] = ' ';
        for (size_t i = 0; i < cls_len; i++) dst[id_len + 1 + i] = (Py_UCS1)Py_TOLOWER(cls[i]);
        return out;
    }
    PyObject *first = PyUnicode_DecodeUTF8((const char *)(id ? id : (const unsigned char *)""),
                                           (Py_ssize_t)id_len, "replace");
    PyObject *second = PyUnicode_DecodeUTF8((const char *)(cls ? cls : (const unsigned char *)""),
                                            (Py_ssize_t)cls_len, "replace");
    PyObject *joined = NULL, *out = NULL;
    if (first != NULL && second != NULL) joined = PyUnicode_FromFormat("%U %U", first, second);
    if (joined != NULL) out = PyObject_CallMethod(joined, "lower", NULL);
    Py_XDECREF(first);
    Py_XDECREF(second);
    Py_XDECREF(joined);
    return out;
}

/* link.attrs["href"] as fields._hrefs reads it: the first attribute whose qualified name is "href" in any ASCII
 * case, its value decoded with "replace" ("" for an attribute without a value); None where there is none.
 * Ellipsis: not an element (the attrs property would raise): not modelled. */
static PyObject *anchor_href(wnode *node) {
    if (node->type != NODE_ELEMENT) return Py_NewRef(Py_Ellipsis);
    for (void *attr = S.first_attr(node); attr != NULL; attr = S.next_attr(attr)) {
        size_t name_len = 0;
        const unsigned char *name = S.attr_name(attr, &name_len);
        if (name == NULL || name_len != 4) continue;
        int same = 1;
        for (size_t i = 0; same && i < 4; i++) same = (name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]) == "href"[i];
        if (!same) continue;
        size_t value_len = 0;
        const unsigned char *value = S.attr_value(attr, &value_len);
        if (value == NULL) return PyUnicode_FromStringAndSize("", 0);
        if (value_len > (size_t)PY_SSIZE_T_MAX) return PyErr_NoMemory();
        return PyUnicode_DecodeUTF8((const char *)value, (Py_ssize_t)value_len, "replace");
    }
    return Py_NewRef(Py_None);
}

typedef struct {
    wnode *next; /* the next sibling to visit in the parent's child list */
    Py_ssize_t block, depth;
} frame_t;

typedef struct {
    PyObject *tags, *parents, *mem_ids, *attrs, *lines, *anchors, *metas, *stripped, *hrefs;
    buf_t scratch, scratch_link; /* clean()'s output */
    buf_t line;             /* the current line's text, UTF-8 */
    Py_ssize_t parts;       /* how many texts it holds (blocks.py's ``parts``) */
    buf_t link_text;        /* the texts of the current line's links, one after the other … */
    size_t *link_starts;    /* … each link's start in link_text */
    size_t *spans;          /* flush(): (start, length) of each link's cleaned text in scratch_link */
    Py_ssize_t links, link_cap;
    Py_ssize_t current;     /* the block of the current line */
} walk_t;

static int add_link(walk_t *w) {
    if (w->links == w->link_cap) {
        Py_ssize_t cap = w->link_cap ? w->link_cap * 2 : 16;
        if ((size_t)cap > (size_t)PY_SSIZE_T_MAX / (2 * sizeof(size_t))) {
            PyErr_NoMemory();
            return -1;
        }
        size_t *grown = PyMem_Realloc(w->link_starts, (size_t)cap * sizeof(size_t));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        w->link_starts = grown;
        size_t *spans = PyMem_Realloc(w->spans, (size_t)cap * 2 * sizeof(size_t));
        if (spans == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        w->spans = spans;
        w->link_cap = cap;
    }
    w->link_starts[w->links++] = w->link_text.len;
    return 0;
}

static PyObject *decode_strict(const char *data, size_t len) {
    return PyUnicode_DecodeUTF8(len ? data : "", (Py_ssize_t)len, NULL);
}

/* A Line (blocks.py's NamedTuple) of 5 items, as ``tuple.__new__(Line, items)`` makes it; steals the items. */
static PyObject *new_line(PyObject *text, Py_ssize_t link_chars, Py_ssize_t block, PyObject *links, Py_ssize_t size) {
    PyObject *items[5] = {text, PyLong_FromSsize_t(link_chars), PyLong_FromSsize_t(block), links,
                          PyLong_FromSsize_t(size)};
    PyObject *line = NULL;
    if (text && items[1] && items[2] && links && items[4]) line = S.line_type->tp_alloc(S.line_type, 5);
    if (line == NULL) {
        for (int i = 0; i < 5; i++) Py_XDECREF(items[i]);
        return NULL;
    }
    for (int i = 0; i < 5; i++) PyTuple_SET_ITEM(line, i, items[i]);
    return line;
}

/* The current line as blocks._add_lines builds it (left out where its text cleans to nothing), then a new one. */
static int flush(walk_t *w) {
    if (w->parts) {
        size_t start, len;
        w->scratch.len = 0;
        if (clean((const unsigned char *)w->line.data, w->line.len, &w->scratch, &start, &len) < 0) return -1;
        if (len) {
            const unsigned char *text = (const unsigned char *)w->scratch.data + start;
            Py_ssize_t link_chars = 0, kept = 0;
            w->scratch_link.len = 0;
            for (Py_ssize_t i = 0; i < w->links; i++) { /* each link's text cleaned, the empty ones left out */
                size_t from = w->link_starts[i];
                size_t to = i + 1 < w->links ? w->link_starts[i + 1] : w->link_text.len;
                size_t at, size;
                if (clean((const unsigned char *)w->link_text.data + from, to - from, &w->scratch_link, &at,
                          &size) < 0)
                    return -1;
                if (!size) continue;
                w->spans[2 * kept] = at;
                w->spans[2 * kept + 1] = size;
                kept++;
            }
            PyObject *links = PyTuple_New(kept);
            if (links == NULL) return -1;
            for (Py_ssize_t i = 0; i < kept; i++) {
                const unsigned char *piece = (const unsigned char *)w->scratch_link.data + w->spans[2 * i];
                link_chars += size_of(piece, w->spans[2 * i + 1]);
                PyObject *one = decode_strict((const char *)piece, w->spans[2 * i + 1]);
                if (one == NULL) {
                    Py_DECREF(links);
                    return -1;
                }
                PyTuple_SET_ITEM(links, i, one);
            }
            if (append_new(w->lines, new_line(decode_strict((const char *)text, len), link_chars, w->current,
                                              links, size_of(text, len))) < 0)
                return -1;
        }
        w->parts = 0;
        w->line.len = 0;
    }
    w->links = 0;
    w->link_text.len = 0;
    return 0;
}

#endif
