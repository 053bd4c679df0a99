/*
 * fuzz_scalar.c — the scalar parsers every reader uses: money, quantity, integer, date and time.
 * Whatever is accepted formats back to text that parses to the same value; the formatted text of
 * a value is its one canonical form (parse(format(v)) == v and format(parse(t)) is stable).
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "fundguard/datetime.h"
#include "fundguard/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char text[FG_MONEY_TEXTLEN];
    char when[FG_TIME_TEXTLEN + 1];
    fg_fen_t fen;
    fg_fen_t fen2;
    if (fg_money_parse(s, size, &fen, NULL) == 0) {
        size_t n = fg_money_format(fen, text);
        if (fg_money_parse(text, n, &fen2, NULL) != 0 || fen2 != fen)
            abort();
    }
    fg_qty_t q;
    fg_qty_t q2;
    if (fg_qty_parse(s, size, &q, NULL) == 0) {
        size_t n = fg_qty_format(q, text);
        if (fg_qty_parse(text, n, &q2, NULL) != 0 || q2 != q)
            abort();
        fg_fen_t product;
        (void)fg_money_mul_qty(fen, q, &product); /* overflow is reported, never undefined */
    }
    int64_t i;
    (void)fg_int_parse(s, size, &i, NULL);
    fg_date_t d;
    fg_date_t d2;
    if (fg_date_parse(s, size, &d, NULL) == 0) {
        size_t n = fg_date_format(d, when);
        int y, m, day;
        fg_date_to_ymd(d, &y, &m, &day);
        if (fg_date_parse(when, n, &d2, NULL) != 0 || d2 != d || fg_date_weekday(d) < 0 ||
            fg_date_weekday(d) > 6 || m < 1 || m > 12 || day < 1 || day > 31)
            abort();
    }
    fg_time_t t;
    fg_time_t t2;
    if (fg_time_parse(s, size, &t, NULL) == 0) {
        size_t n = fg_time_format(t, when);
        if (fg_time_parse(when, n, &t2, NULL) != 0 || t2 != t ||
            fg_time_date(t) != fg_time_date(fg_date_start(fg_time_date(t))))
            abort();
    }
    return 0;
}
