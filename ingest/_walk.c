/* ingest._walk: blocks.layout's walk in C, over the lexbor tree selectolax built.
 *
 * selectolax hands each node of a walk to Python (a LexborNode object, a property call per field): about 4000
 * instructions a node. This module reads lexbor's structs directly and returns, in bulk, what the Python walk
 * (ingest/blocks.py, ``_layout_py``: the reference) builds, step for step the same state machine. It is used
 * only behind ingest/fastwalk.py's gate: a verified selectolax version, the struct layouts checked at set-up
 * against lexbor's own exported accessors and selectolax's objects, and probe pages whose result must equal the
 * Python walk's. Anything it does not model (an element with no tag id) makes it return None: the caller then
 * runs the Python walk.
 *
 * Safety: iterative (an explicit stack on the heap), reads only through pointers lexbor's tree holds, never
 * releases the GIL (lexbor's tree is not thread-safe; no Python code that could touch the tree runs during the
 * walk), the root LexborNode (and through it its parser, which owns the tree) is held by the caller for the
 * call. */
#include "_walk_lines.h"

/* The anchor and its href: 1, or 0 (not modelled), or -1 (an exception). */
static int add_anchor(walk_t *w, wnode *node, PyObject *root, wnode *root_node, PyObject *parser) {
    PyObject *href = anchor_href(node);
    if (href == NULL) return -1;
    if (href == Py_Ellipsis) {
        Py_DECREF(href);
        return 0;
    }
    if (append_new(w->hrefs, href) < 0) return -1;
    return append_new(w->anchors, make_node(node, root, root_node, parser)) < 0 ? -1 : 1;
}

/* 1: done; 0: not modelled (the caller runs the Python walk); -1: an exception is set */
static int walk(walk_t *w, PyObject *root, wnode *root_node, PyObject *parser) {
    frame_t *stack = NULL;
    Py_ssize_t height = 0, cap = 0;
    int result = -1;
    wnode *node = root_node;
    Py_ssize_t block = -1, depth = 0;
    w->current = -1;
    for (;;) {
        while (node == NULL) {
            if (height == 0) {
                result = flush(w) < 0 ? -1 : 1;
                goto done;
            }
            height--;
            node = stack[height].next;
            block = stack[height].block;
            depth = stack[height].depth;
        }
        wnode *following = node == root_node ? NULL : node->next;
        uintptr_t kind = node->local_name;
        Py_ssize_t inner = block, inner_depth = depth;
        if (kind == S.text_id) {
            if (block < -1) {
                node = following;
                continue;
            }
            const unsigned char *text;
            size_t len;
            PyObject *hold;
            if (text_bytes(node, &text, &len, &hold) < 0) goto done;
            int keep = 1;
            if (!w->parts) {
                if (is_blank(text, len)) {
                    keep = 0;
                } else if (block != w->current) {
                    if (flush(w) < 0) goto text_failed;
                    w->current = block;
                }
            } else if (block != w->current) {
                if (flush(w) < 0) goto text_failed;
                w->current = block;
                if (is_blank(text, len)) keep = 0;
            }
            if (keep) {
                if (buf_add(&w->line, text, len) < 0) goto text_failed;
                w->parts++;
                if (depth) {
                    if (!w->links && add_link(w) < 0) goto text_failed;
                    if (buf_add(&w->link_text, text, len) < 0) goto text_failed;
                }
            }
            Py_XDECREF(hold);
            node = following;
            continue;
        text_failed:
            Py_XDECREF(hold);
            goto done;
        }
        int action = kind < 256 ? S.kinds[kind] : A_INLINE;
        if (action == A_LEAF) {
            node = following;
            continue;
        }
        if (action == A_META) {
            if (block != HIDDEN && append_new(w->metas, make_node(node, root, root_node, parser)) < 0) goto done;
            node = following;
            continue;
        }
        if (block < -1) { /* inside a skipped subtree: only what other stages collect, and deeper */
            if (action == A_STRIP) {
                if (append_new(w->stripped, make_node(node, root, root_node, parser)) < 0) goto done;
                inner = block == HIDDEN || kind == S.noscript_id ? HIDDEN : SKIPPED;
            } else if (action == A_ANCHOR && block != HIDDEN) {
                int href = add_anchor(w, node, root, root_node, parser);
                if (href <= 0) {
                    result = href;
                    goto done;
                }
            }
        } else if (action == A_BLOCK) {
            if ((w->parts || w->links) && flush(w) < 0) goto done;
            PyObject *attrs = block_attrs(node);
            if (attrs == NULL) goto done;
            if (attrs == Py_None) {
                Py_DECREF(attrs);
                result = 0;
                goto done;
            }
            w->current = PyList_GET_SIZE(w->tags);
            PyObject *name = PyTuple_GET_ITEM(S.names, kind);
            if (PyList_Append(w->tags, name) < 0 || append_new(w->parents, PyLong_FromSsize_t(block)) < 0 ||
                append_new(w->mem_ids, PyLong_FromSize_t((size_t)(uintptr_t)node)) < 0) {
                Py_DECREF(attrs);
                goto done;
            }
            if (append_new(w->attrs, attrs) < 0) goto done;
            inner = w->current;
        } else if (action == A_ANCHOR) {
            int href = add_anchor(w, node, root, root_node, parser);
            if (href <= 0) {
                result = href;
                goto done;
            }
            if (add_link(w) < 0) goto done;
            inner_depth = depth + 1;
        } else if (action == A_BREAK) {
            if ((w->parts || w->links) && flush(w) < 0) goto done;
            node = following;
            continue;
        } else if (action == A_INLINE) {
            if (kind == S.undefined_id) {
                if (node->type == NODE_ELEMENT) { /* an element without a tag id: not modelled */
                    result = 0;
                    goto done;
                }
                inner = SKIPPED; /* a processing instruction */
            }
        } else if (action == A_STRIP) {
            if (append_new(w->stripped, make_node(node, root, root_node, parser)) < 0) goto done;
            inner = kind == S.noscript_id ? HIDDEN : SKIPPED;
        } else { /* A_SKIP */
            inner = SKIPPED;
        }
        if (height == cap) {
            Py_ssize_t grown_cap = cap ? cap * 2 : 64;
            if ((size_t)grown_cap > (size_t)PY_SSIZE_T_MAX / sizeof(frame_t)) {
                PyErr_NoMemory();
                goto done;
            }
            frame_t *grown = PyMem_Realloc(stack, (size_t)grown_cap * sizeof(frame_t));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            stack = grown;
            cap = grown_cap;
        }
        stack[height].next = following;
        stack[height].block = block;
        stack[height].depth = depth;
        height++;
        node = node->first_child;
        block = inner;
        depth = inner_depth;
    }
done:
    PyMem_Free(stack);
    return result;
}

static PyObject *layout(PyObject *self, PyObject *root) {
    (void)self;
    if (!S.ready) {
        PyErr_SetString(PyExc_RuntimeError, "ingest._walk is not set up");
        return NULL;
    }
    if (Py_TYPE(root) != S.node_type) {
        PyErr_SetString(PyExc_TypeError, "layout() takes a selectolax LexborNode");
        return NULL;
    }
    NodeObject *view = (NodeObject *)root;
    if (view->node == NULL || view->is_fragment_root || view->is_template_content) Py_RETURN_NONE;
    PyObject *parser = view->parser;
    Py_INCREF(parser);
    walk_t w;
    memset(&w, 0, sizeof(w));
    PyObject **lists[] = {&w.tags,    &w.parents, &w.mem_ids,  &w.attrs, &w.lines,
                          &w.anchors, &w.metas,   &w.stripped, &w.hrefs};
    const size_t count = sizeof(lists) / sizeof(lists[0]);
    PyObject *out = NULL;
    int ok = 1;
    for (size_t i = 0; i < count; i++) {
        *lists[i] = PyList_New(0);
        if (*lists[i] == NULL) ok = 0;
    }
    int found = ok ? walk(&w, root, view->node, parser) : -1;
    if (found == 1) {
        out = PyTuple_New((Py_ssize_t)count);
        if (out != NULL) {
            for (size_t i = 0; i < count; i++) {
                PyTuple_SET_ITEM(out, (Py_ssize_t)i, *lists[i]);
                *lists[i] = NULL;
            }
        }
    } else if (found == 0) {
        out = Py_NewRef(Py_None);
    }
    for (size_t i = 0; i < count; i++) Py_XDECREF(*lists[i]);
    PyMem_Free(w.line.data);
    PyMem_Free(w.link_text.data);
    PyMem_Free(w.link_starts);
    PyMem_Free(w.spans);
    PyMem_Free(w.scratch.data);
    PyMem_Free(w.scratch_link.data);
    Py_DECREF(parser);
    return out;
}

/* Every node under root (iteratively): the struct's fields equal what lexbor's exported accessors give. */
static PyObject *check_tree(PyObject *self, PyObject *root) {
    (void)self;
    if (!S.ready || Py_TYPE(root) != S.node_type) {
        PyErr_SetString(PyExc_TypeError, "check_tree() takes a LexborNode, after setup()");
        return NULL;
    }
    wnode *top = ((NodeObject *)root)->node;
    Py_ssize_t checked = 0;
    for (wnode *node = top; node != NULL;) {
        if (S.tag_id(node) != node->local_name || S.first_child(node) != (void *)node->first_child ||
            S.next(node) != (void *)node->next || S.parent(node) != (void *)node->parent ||
            S.type(node) != node->type)
            Py_RETURN_FALSE;
        checked++;
        if (node->first_child != NULL) {
            node = node->first_child;
            continue;
        }
        while (node != top && node->next == NULL) node = node->parent;
        node = node == top ? NULL : node->next;
    }
    return PyLong_FromSsize_t(checked);
}

static int address(PyObject *functions, Py_ssize_t index, void **out) {
    PyObject *item = PyTuple_GetItem(functions, index);
    if (item == NULL) return -1;
    void *found = PyLong_AsVoidPtr(item);
    if (found == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a lexbor function's address is 0");
        return -1;
    }
    *out = found;
    return 0;
}

/* setup(node_type, kinds, names, text_id, noscript_id, undefined_id, functions, probe, probe_address, line_type,
 *       probe_parser, fragment_probe) */
static PyObject *setup(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *type, *names, *functions, *probe, *line, *probe_parser, *fragment;
    Py_buffer kinds;
    unsigned long long text_id, noscript_id, undefined_id, probe_address;
    if (!PyArg_ParseTuple(args, "O!y*O!KKKO!OKO!OO", &PyType_Type, &type, &kinds, &PyTuple_Type, &names, &text_id,
                          &noscript_id, &undefined_id, &PyTuple_Type, &functions, &probe, &probe_address,
                          &PyType_Type, &line, &probe_parser, &fragment))
        return NULL;
    PyTypeObject *line_type = (PyTypeObject *)line;
    PyObject *failed = NULL;
    if (kinds.len != 256 || PyTuple_GET_SIZE(names) != 256 || PyTuple_GET_SIZE(functions) != 9)
        failed = PyExc_ValueError;
    for (Py_ssize_t i = 0; !failed && i < 256; i++) {
        unsigned char action = ((unsigned char *)kinds.buf)[i];
        PyObject *name = PyTuple_GET_ITEM(names, i);
        if (action > A_ANCHOR || (action == A_BLOCK) != PyUnicode_CheckExact(name) ||
            (action != A_BLOCK && name != Py_None))
            failed = PyExc_ValueError;
    }
    PyTypeObject *node_type = (PyTypeObject *)type;
    if (!failed && (node_type->tp_basicsize != (Py_ssize_t)sizeof(NodeObject) || node_type->tp_new == NULL ||
                    Py_TYPE(probe) != node_type || ((NodeObject *)probe)->node == NULL ||
                    (uintptr_t)((NodeObject *)probe)->node != (uintptr_t)probe_address ||
                    ((NodeObject *)probe)->parser != probe_parser || ((NodeObject *)probe)->is_fragment_root ||
                    ((NodeObject *)probe)->is_template_content || Py_TYPE(fragment) != node_type ||
                    ((NodeObject *)fragment)->is_fragment_root != 1))
        failed = PyExc_RuntimeError; /* each field where this module reads and writes it */
    /* a tuple subclass without instance dict or slots of its own, which tp_alloc makes as tuple_subtype_new does */
    if (!failed && (!PyType_IsSubtype(line_type, &PyTuple_Type) || line_type->tp_alloc == NULL ||
                    line_type->tp_basicsize != PyTuple_Type.tp_basicsize ||
                    line_type->tp_itemsize != PyTuple_Type.tp_itemsize || line_type->tp_dictoffset != 0))
        failed = PyExc_RuntimeError;
    if (failed) {
        PyBuffer_Release(&kinds);
        PyErr_SetString(failed, "ingest._walk: what selectolax gives is not what this module was built for");
        return NULL;
    }
    void *fns[9];
    for (Py_ssize_t i = 0; i < 9; i++) {
        if (address(functions, i, &fns[i]) < 0) {
            PyBuffer_Release(&kinds);
            return NULL;
        }
    }
    memcpy(S.kinds, kinds.buf, 256);
    PyBuffer_Release(&kinds);
    if (S.empty == NULL && (S.empty = PyTuple_New(0)) == NULL) return NULL;
    Py_INCREF(type);
    Py_XSETREF(S.node_type, node_type);
    Py_INCREF(names);
    Py_XSETREF(S.names, names);
    Py_INCREF(line);
    Py_XSETREF(S.line_type, line_type);
    S.text_id = (uintptr_t)text_id;
    S.noscript_id = (uintptr_t)noscript_id;
    S.undefined_id = (uintptr_t)undefined_id;
    S.first_attr = (first_attr_f)fns[0];
    S.next_attr = (next_attr_f)fns[1];
    S.attr_name = (attr_name_f)fns[2];
    S.attr_value = (attr_value_f)fns[3];
    S.tag_id = (tag_id_f)fns[4];
    S.first_child = (node_f)fns[5];
    S.next = (node_f)fns[6];
    S.parent = (node_f)fns[7];
    S.type = (type_f)fns[8];
    S.ready = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"setup", setup, METH_VARARGS, "Set the walk up: selectolax's node type, the tag table, lexbor's accessors."},
    {"check_tree", check_tree, METH_O, "How many nodes under a LexborNode read the same as lexbor's accessors read "
                                       "them (False: one does not)."},
    {"layout", layout, METH_O,
     "(tags, parents, mem_ids, attrs, lines, anchors, metas, stripped, hrefs) of "
     "a LexborNode's subtree, or None where the Python walk must run."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ingest._walk", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

#ifndef WALK_SOURCE_HASH
#define WALK_SOURCE_HASH "" /* built by hand, not by hatch_build.py */
#endif

PyMODINIT_FUNC PyInit__walk(void) {
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddStringConstant(m, "SOURCE_HASH", WALK_SOURCE_HASH) < 0) Py_CLEAR(m);
    return m;
}
