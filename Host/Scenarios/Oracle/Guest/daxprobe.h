/* daxprobe.h: what the probe's two halves share (daxprobe.c: the utilities and the supervisor;
 * agent.c: the scenario tasks). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#define PG 4096UL
#define PMD (2UL << 20)


/* per thread: a scenario thread of an agent runs its own command loop under its own name */
extern __thread char name[64];
extern __thread const char *step;
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err(int e);
long long phys_of(const char *file, long off);
int fill(int fd, long off, long len);
int agent(char **a);
int files(int argc, char **argv);
