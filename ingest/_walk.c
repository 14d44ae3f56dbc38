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
 * and the node and parser fields are checked at set-up against a node selectolax made. */
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

static int buf_add(buf_t *b, const void *src, size_t n) {
    if (n > (size_t)PY_SSIZE_T_MAX - b->len) {
        PyErr_NoMemory();
        return -1;
    }
    if (b->len + n > b->cap) {
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
    }
    if (n) memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

/* Strict UTF-8 as CPython's decoder accepts it (no overlong forms, surrogates or code points past U+10FFFF). A
 * rejection only costs speed: such text is decoded with "replace" as selectolax does and re-encoded. */
static int valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            if (n - i < 2 || (s[i + 1] & 0xC0) != 0x80) return 0;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (n - i < 3 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) return 0;
            if (c == 0xE0 && s[i + 1] < 0xA0) return 0;
            if (c == 0xED && s[i + 1] >= 0xA0) return 0;
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (n - i < 4 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80)
                return 0;
            if (c == 0xF0 && s[i + 1] < 0x90) return 0;
            if (c == 0xF4 && s[i + 1] >= 0x90) return 0;
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

/* The length of the _HTML_SPACE (blocks.py) character that starts s (valid UTF-8, n > 0): " \t\r\n\f\v",
 * U+00A0, U+3000, U+200B, U+FEFF; 0 for any other. */
static size_t html_space(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') return 1;
    if (c == 0xC2 && n >= 2 && s[1] == 0xA0) return 2;
    if (n >= 3 && ((c == 0xE3 && s[1] == 0x80 && s[2] == 0x80) || (c == 0xE2 && s[1] == 0x80 && s[2] == 0x8B) ||
                   (c == 0xEF && s[1] == 0xBB && s[2] == 0xBF)))
        return 3;
    return 0;
}

/* Only blocks.py's _BLANK characters (the same set): ``not text.strip(_BLANK)``. */
static int is_blank(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        size_t k = html_space(s + i, n - i);
        if (k == 0) return 0;
        i += k;
    }
    return 1;
}

/* The bytes of the UTF-8 sequence a lead byte opens (valid UTF-8). */
static size_t sequence(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

static Py_UCS4 code_point(const unsigned char *s) {
    unsigned char c = s[0];
    if (c < 0x80) return c;
    if (c < 0xE0) return ((Py_UCS4)(c & 0x1F) << 6) | (s[1] & 0x3F);
    if (c < 0xF0) return ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    return ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(s[1] & 0x3F) << 12) | ((Py_UCS4)(s[2] & 0x3F) << 6) |
           (s[3] & 0x3F);
}

/* blocks.clean_line on valid UTF-8: each run of _HTML_SPACE characters one space, then str.strip() (every
 * str.isspace character off both ends). The result is [*start, *start + *len) of out. */
static int clean(const unsigned char *s, size_t n, buf_t *out, size_t *start, size_t *len) {
    size_t base = out->len; /* appended after what out holds */
    size_t i = 0;
    while (i < n) {
        size_t k = html_space(s + i, n - i);
        if (k) {
            if (buf_add(out, " ", 1) < 0) return -1;
            i += k;
            while (i < n && (k = html_space(s + i, n - i)) != 0) i += k;
            continue;
        }
        size_t step = sequence(s[i]);
        if (step > n - i) step = n - i; /* cannot happen on valid UTF-8 */
        if (buf_add(out, s + i, step) < 0) return -1;
        i += step;
    }
    const unsigned char *d = (const unsigned char *)out->data;
    size_t first = base, end = out->len;
    while (first < end && Py_UNICODE_ISSPACE(code_point(d + first))) first += sequence(d[first]);
    while (end > first) {
        size_t lead = end - 1;
        while (lead > first && (d[lead] & 0xC0) == 0x80) lead--;
        if (!Py_UNICODE_ISSPACE(code_point(d + lead))) break;
        end = lead;
    }
    *start = first;
    *len = end - first;
    return 0;
}

/* characters other than U+0020: len(text) - text.count(" ") */
static Py_ssize_t size_of(const unsigned char *s, size_t n) {
    Py_ssize_t count = 0;
    for (size_t i = 0; i < n; i++) count += (s[i] & 0xC0) != 0x80 && s[i] != ' ';
    return count;
}

/* A text's bytes as valid UTF-8 of the str selectolax's text_content gives ("" for no data). ``*hold`` keeps a
 * re-encoded copy alive (to be released by the caller). */
static int text_bytes(wnode *node, const unsigned char **out, size_t *len, PyObject **hold) {
    *hold = NULL;
    *out = (const unsigned char *)"";
    *len = 0;
    if (node->type != NODE_TEXT) return 0;
    wchardata *chars = (wchardata *)node;
    if (chars->data.data == NULL) return 0;
    if (chars->data.length > (size_t)PY_SSIZE_T_MAX) {
        PyErr_NoMemory();
        return -1;
    }
    if (valid_utf8(chars->data.data, chars->data.length)) {
        *out = chars->data.data;
        *len = chars->data.length;
        return 0;
    }
    PyObject *text =
        PyUnicode_DecodeUTF8((const char *)chars->data.data, (Py_ssize_t)chars->data.length, "replace");
    if (text == NULL) return -1;
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    if (utf8 == NULL) {
        Py_DECREF(text);
        return -1;
    }
    *hold = text;
    *out = (const unsigned char *)utf8;
    *len = (size_t)size;
    return 0;
}

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

typedef struct {
    wnode *next; /* the next sibling to visit in the parent's child list */
    Py_ssize_t block, depth;
} frame_t;

typedef struct {
    PyObject *tags, *parents, *mem_ids, *attrs, *lines, *anchors, *metas, *stripped;
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
                if (append_new(w->anchors, make_node(node, root, root_node, parser)) < 0) goto done;
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
            if (append_new(w->anchors, make_node(node, root, root_node, parser)) < 0) goto done;
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
    PyObject **lists[] = {&w.tags, &w.parents, &w.mem_ids, &w.attrs, &w.lines, &w.anchors, &w.metas, &w.stripped};
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

/* setup(node_type, kinds, names, text_id, noscript_id, undefined_id, functions, probe, probe_address, line_type) */
static PyObject *setup(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *type, *names, *functions, *probe, *line;
    Py_buffer kinds;
    unsigned long long text_id, noscript_id, undefined_id, probe_address;
    if (!PyArg_ParseTuple(args, "O!y*O!KKKO!OKO!", &PyType_Type, &type, &kinds, &PyTuple_Type, &names, &text_id,
                          &noscript_id, &undefined_id, &PyTuple_Type, &functions, &probe, &probe_address,
                          &PyType_Type, &line))
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
                    (uintptr_t)((NodeObject *)probe)->node != (uintptr_t)probe_address))
        failed = PyExc_RuntimeError;
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
     "(tags, parents, mem_ids, attrs, lines, anchors, metas, stripped) of "
     "a LexborNode's subtree, or None where the Python walk must run."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ingest._walk", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__walk(void) { return PyModule_Create(&module); }
