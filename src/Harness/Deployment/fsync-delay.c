/*
 * The slow-fsync shim (docs/faults.md, "Storage faults"): preloaded (LD_PRELOAD) into every node a run's processes
 * topology starts when its schedule names slow-fsync. It wraps fsync(2) and fdatasync(2): a call on a file under
 * CHAOS_FSYNC_UNDER (the run's storage directory, where the system keeps its store) is counted and, while the control
 * file says so, held for that many milliseconds before the real call runs. Calls on any other file pass straight through.
 *
 * The control file (CHAOS_FSYNC_CONTROL) is written by the harness (Deployment/FsyncShim.cs) and shared by every node;
 * its layout, all little-endian and naturally aligned:
 *   0  int32  delay in milliseconds (0: none)       written by the harness
 *   8  int64  calls on files under the directory    counted here, by every node
 *  16  int64  of those, calls that were held        counted here, when the wait begins
 *  24  int64  milliseconds held, all calls          counted here, when the wait begins
 * Without either variable, or when the file cannot be mapped, the shim does nothing at all.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct control
{
    int32_t delay_ms;
    int32_t reserved;
    int64_t calls;
    int64_t held;
    int64_t held_ms;
};

static struct control *control;
static char under[PATH_MAX + 1];
static size_t under_length;
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

__attribute__((constructor)) static void chaos_fsync_init(void)
{
    real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    const char *path = getenv("CHAOS_FSYNC_CONTROL");
    const char *directory = getenv("CHAOS_FSYNC_UNDER");
    if (path == NULL || directory == NULL || realpath(directory, under) == NULL)
    {
        return;
    }

    under_length = strlen(under);
    if (under_length == 0 || under_length >= PATH_MAX)
    {
        return;
    }

    if (under[under_length - 1] != '/')
    {
        under[under_length++] = '/';
        under[under_length] = '\0';
    }

    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
    {
        return;
    }

    void *mapped = mmap(NULL, sizeof(struct control), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (mapped != MAP_FAILED)
    {
        control = (struct control *)mapped;
    }
}

/* True when fd is open on a file under the watched directory. */
static int watched(int fd)
{
    char link[64];
    char target[PATH_MAX + 1];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, target, PATH_MAX);
    return length >= (ssize_t)under_length && strncmp(target, under, under_length) == 0;
}

static void hold(int fd)
{
    if (control == NULL || !watched(fd))
    {
        return;
    }

    __atomic_fetch_add(&control->calls, 1, __ATOMIC_RELAXED);
    int32_t delay = __atomic_load_n(&control->delay_ms, __ATOMIC_RELAXED);
    if (delay <= 0)
    {
        return;
    }

    /* counted before the wait: a call held when the fault heals is one the fault held */
    __atomic_fetch_add(&control->held, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&control->held_ms, delay, __ATOMIC_RELAXED);
    int saved = errno;
    struct timespec left = { delay / 1000, (long)(delay % 1000) * 1000000L };
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
    {
    }

    errno = saved;
}

int fsync(int fd)
{
    hold(fd);
    if (real_fsync == NULL)
    {
        real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    }

    if (real_fsync == NULL)
    {
        errno = ENOSYS;
        return -1;
    }

    return real_fsync(fd);
}

int fdatasync(int fd)
{
    hold(fd);
    if (real_fdatasync == NULL)
    {
        real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    }

    if (real_fdatasync == NULL)
    {
        errno = ENOSYS;
        return -1;
    }

    return real_fdatasync(fd);
}
