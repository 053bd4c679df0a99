/* t_svg.c — the inline SVG charts of core: structure, proportions, escaping, cutting labels. */
#include "core/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/buf.h"
#include "fundguard/error.h"
#include "fundguard/svg.h"
#include "t.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The width="…" of the i-th fg-bar rect (-1 when there is none). */
static long rect_attr(const char *svg, size_t i, const char *attr)
{
    const char *p = svg;
    for (size_t k = 0; k <= i; k++) {
        p = strstr(p, "<rect class=\"fg-bar\"");
        if (p == NULL)
            return -1;
        p++;
    }
    char key[32];
    snprintf(key, sizeof(key), " %s=\"", attr);
    const char *a = strstr(p, key);
    return a == NULL ? -1 : strtol(a + strlen(key), NULL, 10);
}

TEST(svg_escape)
{
    fg_buf_t b;
    fg_buf_init(&b, 1024);
    ASSERT_EQ(fg_svg_escape(&b, "a<b>&\"c'd 医保"), 0);
    ASSERT_STR_EQ(b.data, "a&lt;b&gt;&amp;&quot;c&#39;d 医保");
    ASSERT_EQ(fg_svg_escape(&b, NULL), 0);
    fg_buf_release(&b);
}

TEST(svg_hbars_structure_and_proportions)
{
    fg_svg_bar_t bars[] = {
        {"after_death", 400, "400 条"},
        {"<script>", 100, NULL},
        {"零", 0, "0.00"},
    };
    fg_svg_chart_t c = {
        .title = "按模型 & 金额", .id = "by-model", .width = 620, .label_width = 200};
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_EQ(fg_svg_hbars(&b, &c, bars, 3), 0);
    ASSERT(strncmp(b.data, "<svg class=\"fg-chart\"", 21) == 0);
    ASSERT(strstr(b.data, "id=\"by-model\"") != NULL);
    ASSERT(strstr(b.data, "<title>按模型 &amp; 金额</title>") != NULL);
    ASSERT_EQ(count(b.data, "<rect class=\"fg-bar\""), 3);
    ASSERT(strstr(b.data, "<script>") == NULL);
    ASSERT(strstr(b.data, "&lt;script&gt;") != NULL);
    ASSERT(strstr(b.data, ">100</text>") != NULL); /* no text: the value */
    ASSERT(strstr(b.data, "400 条") != NULL);
    /* the longest bar spans the plot (620 - 200 - 120 px), the others in proportion, 0 is 0 */
    ASSERT_EQ(rect_attr(b.data, 0, "width"), 300);
    ASSERT_EQ(rect_attr(b.data, 1, "width"), 75);
    ASSERT_EQ(rect_attr(b.data, 2, "width"), 0);
    ASSERT_EQ(rect_attr(b.data, 0, "x"), 200);
    ASSERT(strstr(b.data, "</svg>") != NULL);
    fg_buf_release(&b);
}

TEST(svg_hbars_cuts_long_labels_at_a_character)
{
    fg_svg_bar_t bar = {"河南省德明县第一人民医院附属社区卫生服务中心", 1, NULL};
    fg_svg_chart_t c = {.label_width = 80}; /* 70 px: 5 wide characters, then 4 and "…" */
    fg_buf_t b;
    fg_buf_init(&b, 1 << 16);
    ASSERT_EQ(fg_svg_hbars(&b, &c, &bar, 1), 0);
    ASSERT(strstr(b.data, ">河南省德…</text>") != NULL);
    ASSERT(strstr(b.data, "<title>") != NULL); /* the full label stays in the tooltip */
    ASSERT(strstr(b.data, "河南省德明县第一人民医院附属社区卫生服务中心: 1</title>") != NULL);
    fg_buf_release(&b);
}

TEST(svg_columns_months_and_huge_values)
{
    fg_svg_bar_t bars[12];
    char labels[12][8];
    for (int i = 0; i < 12; i++) {
        snprintf(labels[i], sizeof(labels[i]), "%d月", i + 1);
        bars[i] = (fg_svg_bar_t){labels[i], i == 5 ? INT64_MAX : INT64_MAX / 2, NULL};
    }
    fg_svg_chart_t c = {.title = "按月", .width = 616, .height = 200};
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_EQ(fg_svg_columns(&b, &c, bars, 12), 0);
    ASSERT_EQ(count(b.data, "<rect class=\"fg-bar\""), 12);
    ASSERT_EQ(rect_attr(b.data, 5, "height"), 200);
    ASSERT_EQ(rect_attr(b.data, 0, "height"), 100);
    ASSERT(strstr(b.data, ">12月</text>") != NULL);
    /* columns left to right in equal slots of (616 - 16) / 12 px */
    ASSERT_EQ(rect_attr(b.data, 1, "x") - rect_attr(b.data, 0, "x"), 50);
    fg_buf_release(&b);
}

TEST(svg_empty_and_limits)
{
    fg_svg_chart_t c = {.title = "空"};
    fg_buf_t b;
    fg_buf_init(&b, 1 << 16);
    ASSERT_EQ(fg_svg_hbars(&b, &c, NULL, 0), 0);
    ASSERT(strstr(b.data, "无数据") != NULL);
    ASSERT_EQ(count(b.data, "fg-bar"), 0);
    fg_buf_reset(&b);
    ASSERT_EQ(fg_svg_columns(&b, &c, NULL, 0), 0);
    ASSERT(strstr(b.data, "无数据") != NULL);
    fg_buf_release(&b);
    fg_buf_t small;
    fg_buf_init(&small, 64);
    fg_svg_bar_t bar = {"x", 1, NULL};
    ASSERT_EQ(fg_svg_hbars(&small, &c, &bar, 1), FG_ELIMIT);
    fg_buf_release(&small);
}
