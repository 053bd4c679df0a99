/*
 * fundguard/svg.h — small charts as inline SVG, for reports that open from disk (no scripts, no
 * fonts, no network): a horizontal bar chart (one labelled bar per item) and a column chart (one
 * column per period, e.g. the months of a year).
 *
 * The writers append to a caller's fg_buf_t and return 0, FG_ENOMEM or FG_ELIMIT (the buffer may
 * then hold part of the chart). Geometry is integer arithmetic; values are any non-negative int64
 * (counts, fen) and each bar shows its own preformatted text, so money is formatted by the caller
 * from exact fen and never passes through a float. Every label and text is escaped here.
 *
 * Each chart is one <svg class="fg-chart" role="img"> with a <title>, each bar one
 * <rect class="fg-bar"> with a <title> giving its label and text (a tooltip in a browser).
 * Borrowed: every pointer argument, for the duration of the call.
 */
#ifndef FUNDGUARD_SVG_H
#define FUNDGUARD_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/buf.h"

typedef struct fg_svg_bar {
    const char *label; /* UTF-8 label (an item or a period); NULL is empty */
    int64_t value;     /* bar length in any unit; negative is drawn as 0 */
    const char *text;  /* shown at the bar; NULL shows the value as an integer */
} fg_svg_bar_t;

typedef struct fg_svg_chart {
    const char *title; /* the chart's accessible title, also drawn on top; NULL for none */
    const char *id;    /* the svg element's id attribute; NULL for none */
    const char *color; /* bar fill, a CSS colour such as "#3b6ea5"; NULL for the default */
    int width;         /* total width in px; 0 for 720 */
    int label_width;   /* horizontal bars: px kept left for the labels; 0 for 220 */
    int height;        /* column chart: height of the plot in px; 0 for 200 */
} fg_svg_chart_t;

/* One row per bar, the label left, the bar and its text right, longest bar = the plot's width. */
int fg_svg_hbars(fg_buf_t *out, const fg_svg_chart_t *chart, const fg_svg_bar_t *bars, size_t n);
/* One column per bar, left to right, labels below, texts above, tallest column = the height. */
int fg_svg_columns(fg_buf_t *out, const fg_svg_chart_t *chart, const fg_svg_bar_t *bars, size_t n);
/* Append s as text for HTML or SVG content and attributes (& < > " ' escaped); NULL is empty. */
int fg_svg_escape(fg_buf_t *out, const char *s);

#endif
