/*
 * replay.c — corpus replay without libFuzzer: `fuzz_X <dir>` feeds every regular file of <dir> to
 * LLVMFuzzerTestOneInput, so each committed corpus runs as an ordinary ctest regression test under
 * any compiler. A target signals failure by crashing or aborting, so reaching the end means every
 * input passed. Exit 1 when the directory is missing, unreadable or holds no files.
 */
#include "core/compat.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read path into an exactly sized malloc'd buffer (ASan then catches any overread). */
static uint8_t *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *data = NULL;

    if (f == NULL)
        return NULL;
    if (fstat(fileno(f), &st) == 0 && st.st_size >= 0) {
        *size = (size_t)st.st_size;
        data = malloc(*size > 0 ? *size : 1);
        if (data != NULL && fread(data, 1, *size, f) != *size) {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    struct dirent **names = NULL;
    size_t passed = 0;
    int n;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 1;
    }
    n = scandir(argv[1], &names, NULL, alphasort); /* sorted: the same order on every run */
    if (n < 0) {
        perror(argv[1]);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        size_t size = 0;
        uint8_t *data;

        snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]->d_name);
        free(names[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        data = read_all(path, &size);
        if (data == NULL) {
            fprintf(stderr, "%s: cannot read\n", path);
            return 1;
        }
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        passed++;
    }
    free(names);
    if (passed == 0) {
        fprintf(stderr, "%s: no corpus files\n", argv[1]);
        return 1;
    }
    printf("%zu passed, 0 failed\n", passed);
    return 0;
}
