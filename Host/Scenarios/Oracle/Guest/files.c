/* files.c: daxprobe's file-lifecycle commands (one system call each, its result as a RESULT line):
 *
 *   daxprobe mkdir PATH STEP | create PATH SIZE STEP | readdir PATH STEP | stat PATH STEP
 *   daxprobe chattr PATH 0|1 STEP     FS_IOC_FSSETXATTR with FS_XFLAG_DAX cleared or set
 *   daxprobe fsync PATH STEP | sync STEP | ficlone SRC DST STEP
 *   daxprobe umount DIR STEP | mount DEV DIR TYPE OPTS STEP   (umount2(2) and mount(2) themselves)
 *
 * readdir prints rc=0:NAME,DIR/,... sorted by name; stat prints rc=0 followed by ",xflag" for
 * FS_XFLAG_DAX and ",dax" for STATX_ATTR_DAX. */
#include "daxprobe.h"
#include <sys/mount.h>

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef FS_XFLAG_DAX
#define FS_XFLAG_DAX 0x00008000
#endif

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int do_readdir(const char *path)
{
	DIR *d = opendir(path);
	if (!d) return -errno;
	char *names[256];
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 256;) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
		if (asprintf(&names[n], "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : "") > 0) n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	char b[900] = "0:";
	for (int i = 0; i < n; i++) {
		if (i) strncat(b, ",", sizeof b - strlen(b) - 1);
		strncat(b, names[i], sizeof b - strlen(b) - 1);
		free(names[i]);
	}
	out("event=result what=readdir rc=%s", b);
	return 0;
}

static int do_stat(const char *path)
{
	struct statx st;
	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &st)) return -errno;
	int fd = open(path, O_RDONLY), xflag = 0;
	struct fsxattr fa;
	if (fd >= 0 && !ioctl(fd, FS_IOC_FSGETXATTR, &fa)) xflag = (fa.fsx_xflags & FS_XFLAG_DAX) != 0;
	if (fd >= 0) close(fd);
	out("event=result what=stat rc=0%s%s size=%llu blocks=%llu", xflag ? ",xflag" : "", (st.stx_attributes & STATX_ATTR_DAX) ? ",dax" : "",
	    (unsigned long long)st.stx_size, (unsigned long long)st.stx_blocks);
	return 0;
}

static int do_chattr(const char *path, int dax)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) return -errno;
	struct fsxattr fa;
	int r = ioctl(fd, FS_IOC_FSGETXATTR, &fa);
	if (!r) {
		fa.fsx_xflags = dax ? fa.fsx_xflags | FS_XFLAG_DAX : fa.fsx_xflags & ~FS_XFLAG_DAX;
		r = ioctl(fd, FS_IOC_FSSETXATTR, &fa);
	}
	int e = errno;
	close(fd);
	return r ? -e : 0;
}

static int do_create(const char *path, long size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) return -errno;
	int r = size > 0 && fill(fd, 0, size) ? -errno : 0;
	close(fd);
	return r;
}

static int do_fsync(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) return -errno;
	int r = fsync(fd) ? -errno : 0;
	close(fd);
	return r;
}

static int do_ficlone(const char *src, const char *dst)
{
	int s = open(src, O_RDONLY);
	if (s < 0) return -errno;
	int d = open(dst, O_WRONLY | O_CREAT, 0644);
	if (d < 0) { int e = errno; close(s); return -e; }
	int r = ioctl(d, FICLONE, s) ? -errno : 0;
	close(s);
	close(d);
	return r;
}

/* Returns 0 when the command was one of these (its RESULT line printed), -1 when it was not. */
int files(int argc, char **argv)
{
	const char *c = argv[1];
	int r;
	if (!strcmp(c, "readdir") && argc == 4) { step = argv[3]; r = do_readdir(argv[2]); if (r) out("event=result what=readdir rc=%s", err(-r)); return 0; }
	if (!strcmp(c, "stat") && argc == 4) { step = argv[3]; r = do_stat(argv[2]); if (r) out("event=result what=stat rc=%s", err(-r)); return 0; }
	if (!strcmp(c, "mkdir") && argc == 4) { step = argv[3]; r = mkdir(argv[2], 0755) ? -errno : 0; }
	else if (!strcmp(c, "create") && argc == 5) { step = argv[4]; r = do_create(argv[2], strtol(argv[3], 0, 0)); }
	else if (!strcmp(c, "chattr") && argc == 5) { step = argv[4]; r = do_chattr(argv[2], atoi(argv[3])); }
	else if (!strcmp(c, "fsync") && argc == 4) { step = argv[3]; r = do_fsync(argv[2]); }
	else if (!strcmp(c, "sync") && argc == 3) { step = argv[2]; sync(); r = 0; }
	else if (!strcmp(c, "ficlone") && argc == 5) { step = argv[4]; r = do_ficlone(argv[2], argv[3]); }
	else if (!strcmp(c, "umount") && argc == 4) { step = argv[3]; r = umount2(argv[2], 0) ? -errno : 0; }
	else if (!strcmp(c, "mount") && argc == 7) { step = argv[6]; r = mount(argv[2], argv[3], argv[4], 0, strcmp(argv[5], "defaults") ? argv[5] : "") ? -errno : 0; }
	else return -1;
	out("event=result what=%s rc=%s", c, r ? err(-r) : "0");
	return 0;
}
