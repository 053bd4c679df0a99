/*
 * io.c — the ledger's file I/O: the POSIX fg_io_t and the loops that write or read whole buffers
 * through any fg_io_t (a short write is retried; a write that makes no progress is -EIO).
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger/ledger_int.h"

static int px_open(void *ctx, const char *path, int flags, int mode)
{
    FG_UNUSED(ctx);
    int fd = open(path, flags | O_CLOEXEC, mode);
    return fd < 0 ? -errno : fd;
}

static ssize_t px_pread(void *ctx, int fd, void *buf, size_t n, off_t off)
{
    FG_UNUSED(ctx);
    ssize_t r = pread(fd, buf, n, off);
    return r < 0 ? -errno : r;
}

static ssize_t px_pwrite(void *ctx, int fd, const void *buf, size_t n, off_t off)
{
    FG_UNUSED(ctx);
    ssize_t r = pwrite(fd, buf, n, off);
    return r < 0 ? -errno : r;
}

static int px_fsync(void *ctx, int fd)
{
    FG_UNUSED(ctx);
    return fdatasync(fd) < 0 ? -errno : 0;
}

static int px_ftruncate(void *ctx, int fd, off_t len)
{
    FG_UNUSED(ctx);
    return ftruncate(fd, len) < 0 ? -errno : 0;
}

static int px_close(void *ctx, int fd)
{
    FG_UNUSED(ctx);
    return close(fd) < 0 ? -errno : 0;
}

static int px_rename(void *ctx, const char *from, const char *to)
{
    FG_UNUSED(ctx);
    return rename(from, to) < 0 ? -errno : 0;
}

static int px_unlink(void *ctx, const char *path)
{
    FG_UNUSED(ctx);
    return unlink(path) < 0 ? -errno : 0;
}

static const fg_io_t posix_io = {px_open,  px_pread,  px_pwrite, px_fsync, px_ftruncate,
                                 px_close, px_rename, px_unlink, NULL};

const fg_io_t *fg_io_posix(void)
{
    return &posix_io;
}

int fg__io_write_all(const fg_io_t *io, int fd, const void *buf, size_t n, uint64_t off)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = io->pwrite(io->ctx, fd, p, n, (off_t)off);
        if (w == -EINTR)
            continue;
        if (w < 0)
            return (int)w;
        if (w == 0)
            return -EIO;
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

int fg__io_read_all(const fg_io_t *io, int fd, void *buf, size_t n, uint64_t off)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = io->pread(io->ctx, fd, p, n, (off_t)off);
        if (r == -EINTR)
            continue;
        if (r < 0)
            return (int)r;
        if (r == 0)
            return FG_ENOTFOUND; /* end of file */
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

int64_t fg__io_size(const fg_io_t *io, int fd)
{
    FG_UNUSED(io);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    return st.st_size;
}

uint64_t fg__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
