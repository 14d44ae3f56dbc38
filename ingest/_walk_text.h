/* ingest._walk, text as blocks.py sees it (UTF-8 checks, HTML white space, clean_line).
 * Part of ingest/_walk.c: included once, by it. */
#ifndef FAZHI_INGEST__WALK_TEXT_H
#define FAZHI_INGEST__WALK_TEXT_H

#include "_walk.h"

/* Strict UTF-8 as CPython's decoder accepts it (no overlong forms, surrogates or code points past U+10FFFF). A
 * rejection only costs speed: such text is decoded with "replace" as selectolax does and re-encoded. */
static int valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            uint64_t eight;
            if (n - i >= 8 && (memcpy(&eight, s + i, 8), (eight & 0x8080808080808080ULL) == 0)) {
                i += 8; /* eight ASCII bytes */
                continue;
            }
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
    if (buf_reserve(out, n) < 0) return -1; /* the output is never longer than the input */
    size_t base = out->len; /* appended after what out holds */
    unsigned char *d = (unsigned char *)out->data + base;
    size_t o = 0, i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80 && c != ' ' && (c < '\t' || c > '\r')) { /* ASCII, not white space: most characters */
            d[o++] = c;
            i++;
            continue;
        }
        size_t k = html_space(s + i, n - i);
        if (k) {
            d[o++] = ' ';
            i += k;
            while (i < n && (k = html_space(s + i, n - i)) != 0) i += k;
            continue;
        }
        size_t step = sequence(c);
        if (step > n - i) step = n - i; /* cannot happen on valid UTF-8 */
        for (size_t j = 0; j < step; j++) d[o++] = s[i + j];
        i += step;
    }
    out->len = base + o;
    size_t first = 0, end = o;
    while (first < end && Py_UNICODE_ISSPACE(code_point(d + first))) first += sequence(d[first]);
    while (end > first) {
        size_t lead = end - 1;
        while (lead > first && (d[lead] & 0xC0) == 0x80) lead--;
        if (!Py_UNICODE_ISSPACE(code_point(d + lead))) break;
        end = lead;
    }
    *start = base + first;
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

#endif
