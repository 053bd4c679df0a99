/* svg.c — horizontal bar and column charts as inline SVG, integer geometry, escaped text. */
#include "core/compat.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "fundguard/buf.h"
#include "fundguard/svg.h"

#define ROW_H     24  /* px per bar of a horizontal chart */
#define BAR_H     16  /* px of a bar's thickness */
#define TEXT_W    120 /* px kept right of the longest bar for its text */
#define CJK_PX    13  /* px a wide character takes at the labels' size: to cut labels to fit */
#define DEF_COLOR "#3b6ea5"

int fg_svg_escape(fg_buf_t *out, const char *s)
{
    if (s == NULL)
        return 0;
    const char *run = s;
    for (const char *p = s;; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '\0':
            return fg_buf_append(out, run, (size_t)(p - run));
        default:
            continue;
        }
        int rc = fg_buf_append(out, run, (size_t)(p - run));
        if (rc == 0)
            rc = fg_buf_appends(out, rep);
        if (rc != 0)
            return rc;
        run = p + 1;
    }
}

/* Append label escaped, cut to at most max_px (a wide character counted CJK_PX, a narrow one
 * half) at a character boundary, with "…" when cut. */
static int append_label(fg_buf_t *out, const char *s, int max_px)
{
    if (s == NULL)
        return 0;
    size_t n = strlen(s);
    size_t cut = n;
    int px = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        px += c < 0x80 ? CJK_PX / 2 + 1 : CJK_PX;
        if (px > max_px) {
            cut = i;
            break;
        }
        i += len;
    }
    if (cut == n)
        return fg_svg_escape(out, s);
    char tmp[512];
    if (cut > sizeof(tmp) - 4)
        cut = sizeof(tmp) - 4;
    /* keep room for the ellipsis: drop one more character (back to its lead byte) */
    if (cut > 0)
        cut--;
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
        cut--;
    memcpy(tmp, s, cut);
    memcpy(tmp + cut, "\xe2\x80\xa6", 4); /* … */
    return fg_svg_escape(out, tmp);
}

/* The bars' common scale: a right shift that keeps value * span within int64. */
static int64_t scaled_max(const fg_svg_bar_t *bars, size_t n, int *shift)
{
    int64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    *shift = 0;
    while ((max >> *shift) > (INT64_C(1) << 40))
        (*shift)++;
    return max >> *shift;
}

/* Length in px of a bar of value v when the largest, max (already shifted), takes span px. */
static int64_t bar_len(int64_t v, int shift, int64_t max, int span)
{
    if (v <= 0 || max <= 0)
        return 0;
    int64_t len = ((v >> shift) * span + max / 2) / max;
    return len < 1 ? 1 : len;
}

static int append_text(fg_buf_t *out, const fg_svg_bar_t *b)
{
    if (b->text != NULL)
        return fg_svg_escape(out, b->text);
    return fg_buf_printf(out, "%" PRId64, b->value);
}

/* <svg …> with its title; *top is where the plot starts. */
static int open_svg(fg_buf_t *out, const fg_svg_chart_t *c, int width, int height, int top)
{
    int rc =
        fg_buf_printf(out,
                      "<svg class=\"fg-chart\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"",
                      width, height, width, height);
    if (rc == 0 && c->id != NULL) {
        rc = fg_buf_appends(out, " id=\"");
        if (rc == 0)
            rc = fg_svg_escape(out, c->id);
        if (rc == 0)
            rc = fg_buf_appendc(out, '"');
    }
    if (rc == 0)
        rc = fg_buf_appends(out, "><title>");
    if (rc == 0)
        rc = fg_svg_escape(out, c->title);
    if (rc == 0)
        rc = fg_buf_appends(out, "</title>");
    if (rc == 0 && c->title != NULL && top > 10) {
        rc = fg_buf_appends(out, "<text x=\"4\" y=\"18\" font-size=\"14\" font-weight=\"bold\">");
        if (rc == 0)
            rc = fg_svg_escape(out, c->title);
        if (rc == 0)
            rc = fg_buf_appends(out, "</text>");
    }
    return rc;
}

/* <rect class="fg-bar" …><title>label: text</title></rect> */
static int append_rect(fg_buf_t *out, const fg_svg_bar_t *b, const char *color, int64_t x,
                       int64_t y, int64_t w, int64_t h)
{
    int rc = fg_buf_printf(out,
                           "<rect class=\"fg-bar\" x=\"%" PRId64 "\" y=\"%" PRId64
                           "\" width=\"%" PRId64 "\" height=\"%" PRId64 "\" fill=\"",
                           x, y, w, h);
    if (rc == 0)
        rc = fg_svg_escape(out, color);
    if (rc == 0)
        rc = fg_buf_appends(out, "\"><title>");
    if (rc == 0)
        rc = fg_svg_escape(out, b->label);
    if (rc == 0)
        rc = fg_buf_appends(out, ": ");
    if (rc == 0)
        rc = append_text(out, b);
    if (rc == 0)
        rc = fg_buf_appends(out, "</title></rect>");
    return rc;
}

static int empty_note(fg_buf_t *out, size_t n, int x, int y)
{
    if (n > 0)
        return 0;
    return fg_buf_printf(
        out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#888\">无数据</text>", x, y);
}

int fg_svg_hbars(fg_buf_t *out, const fg_svg_chart_t *c, const fg_svg_bar_t *bars, size_t n)
{
    int width = c->width > 0 ? c->width : 720;
    int lw = c->label_width > 0 ? c->label_width : 220;
    int span = width - lw - TEXT_W;
    if (span < 20)
        span = 20;
    const char *color = c->color != NULL ? c->color : DEF_COLOR;
    int top = c->title != NULL ? 30 : 6;
    int64_t height = top + (int64_t)(n > 0 ? n : 1) * ROW_H + 6;
    int shift;
    int64_t max = scaled_max(bars, n, &shift);
    int rc = open_svg(out, c, width, (int)height, top);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int64_t y = top + (int64_t)i * ROW_H;
        int64_t len = bar_len(bars[i].value, shift, max, span);
        rc = fg_buf_printf(out,
                           "<text x=\"%d\" y=\"%" PRId64 "\" font-size=\"12\" text-anchor=\"end\">",
                           lw - 6, y + ROW_H / 2 + 4);
        if (rc == 0)
            rc = append_label(out, bars[i].label, lw - 10);
        if (rc == 0)
            rc = fg_buf_appends(out, "</text>");
        if (rc == 0)
            rc = append_rect(out, &bars[i], color, lw, y + (ROW_H - BAR_H) / 2, len, BAR_H);
        if (rc == 0)
            rc = fg_buf_printf(out, "<text x=\"%" PRId64 "\" y=\"%" PRId64 "\" font-size=\"11\">",
                               lw + len + 6, y + ROW_H / 2 + 4);
        if (rc == 0)
            rc = append_text(out, &bars[i]);
        if (rc == 0)
            rc = fg_buf_appends(out, "</text>");
    }
    if (rc == 0)
        rc = empty_note(out, n, lw, top + ROW_H / 2 + 4);
    if (rc == 0)
        rc = fg_buf_appends(out, "</svg>\n");
    return rc;
}

int fg_svg_columns(fg_buf_t *out, const fg_svg_chart_t *c, const fg_svg_bar_t *bars, size_t n)
{
    int width = c->width > 0 ? c->width : 720;
    int plot_h = c->height > 0 ? c->height : 200;
    const char *color = c->color != NULL ? c->color : DEF_COLOR;
    int top = (c->title != NULL ? 30 : 6) + 14; /* room for the texts above the columns */
    int left = 8;
    int64_t slot = n > 0 ? (int64_t)(width - 2 * left) / (int64_t)n : width;
    if (slot < 4)
        slot = 4;
    int64_t col_w = slot * 7 / 10;
    int64_t base = top + plot_h;
    int shift;
    int64_t max = scaled_max(bars, n, &shift);
    int rc = open_svg(out, c, width, (int)(base + 22), top);
    if (rc == 0)
        rc = fg_buf_printf(out,
                           "<line x1=\"%d\" y1=\"%" PRId64 "\" x2=\"%d\" y2=\"%" PRId64
                           "\" stroke=\"#999\" stroke-width=\"1\"/>",
                           left, base, width - left, base);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int64_t x = left + (int64_t)i * slot + (slot - col_w) / 2;
        int64_t mid = left + (int64_t)i * slot + slot / 2;
        int64_t h = bar_len(bars[i].value, shift, max, plot_h);
        rc = append_rect(out, &bars[i], color, x, base - h, col_w, h);
        if (rc == 0)
            rc = fg_buf_printf(out,
                               "<text x=\"%" PRId64 "\" y=\"%" PRId64
                               "\" font-size=\"10\" text-anchor=\"middle\">",
                               mid, base - h - 4);
        if (rc == 0)
            rc = append_text(out, &bars[i]);
        if (rc == 0)
            rc = fg_buf_printf(out,
                               "</text><text x=\"%" PRId64 "\" y=\"%" PRId64
                               "\" font-size=\"11\" text-anchor=\"middle\">",
                               mid, base + 16);
        if (rc == 0)
            rc = append_label(out, bars[i].label, (int)slot);
        if (rc == 0)
            rc = fg_buf_appends(out, "</text>");
    }
    if (rc == 0)
        rc = empty_note(out, n, left + 4, top + plot_h / 2);
    if (rc == 0)
        rc = fg_buf_appends(out, "</svg>\n");
    return rc;
}
