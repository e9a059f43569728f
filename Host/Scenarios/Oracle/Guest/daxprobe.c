/* daxprobe: the guest side of `daxholder oracle`. Built at image-build time with gcc -static.
 *
 *   daxprobe supervise SCRIPT      subreaper (prctl PR_SET_CHILD_SUBREAPER): runs SCRIPT with /bin/sh and
 *                                  reaps every orphaned task, writing /tmp/o/dead.PID ("exit N" | "signal S")
 *   daxprobe agent NAME COMM SIGBUS POLICY
 *                                  a scenario task: a process that detaches (double fork, so the supervisor
 *                                  reaps it), then runs the commands the case script writes to
 *                                  /tmp/o/t/NAME/cmd.SEQ, one at a time, acknowledging each with ack.SEQ
 *   daxprobe write FILE SIZE       a file of SIZE bytes, page i filled with 'A' + i % 26 (pwrite, fsync)
 *   daxprobe clone SRC DST [copy]  ioctl(FICLONE); when refused, with "copy", a copy (cp --reflink=auto)
 *   daxprobe clonerange SRC SOFF DST DOFF LEN [copy]   ioctl(FICLONERANGE); when refused, with "copy", a write of the range
 *   daxprobe pwrite|pread FILE OFF LEN          one pwrite/pread, prints the return value
 *   daxprobe punch FILE OFF LEN | truncate FILE SIZE | unlink FILE
 *   daxprobe setxattr FILE NAME SIZE STEP | removexattr FILE NAME STEP   (a value of SIZE bytes)
 *   daxprobe phys FILE OFF BASEPFN  the guest-physical address of a file offset (FIEMAP: nothing is mapped)
 *   daxprobe mkdir|create|readdir|stat|chattr|fsync|sync|ficlone|umount|mount ...   files.c
 *
 * Agent commands (one line each): mmap AS FILE OFF LEN shared|private pmd|nopmd, munmap AS,
 * touch AS OFF LEN read|write, madvise AS OFF LEN hwpoison|soft-offline, corrupt FILE OFF BASEPFN,
 * set SIGBUS POLICY, fork CHILD COMM SIGBUS, unbind, open AS FILE, close AS, fsync AS, report, exit.
 * Every observation is one line "RESULT step=S task=NAME ..." written with a single write(2).
 * Signals are recorded by the SIGBUS handler (si_code, si_addr, si_addr_lsb, the thread) and
 * printed by the next "report", with the address as the mapping name and offset inside it.
 */
#include "daxprobe.h"

__thread char name[64] = "?";
__thread const char *step = "0";

void out(const char *fmt, ...)
{
	char b[1024];
	int n = snprintf(b, sizeof b, "RESULT step=%s task=%s ", step, name);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(b + n, sizeof b - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof b - 2) n = sizeof b - 2;
	b[n++] = '\n';
	if (write(1, b, n) < 0) _exit(3);
}

const char *err(int e)
{
	static char b[64];
	const char *s = strerrorname_np(e);
	snprintf(b, sizeof b, "-%s", s ? s : "E?");
	return b;
}

/* FIEMAP: the device byte offset of a file offset (no mapping, so no DAX entry is made) */
long long phys_of(const char *file, long off)
{
	int fd = open(file, O_RDONLY);
	if (fd < 0) return -1;
	char buf[sizeof(struct fiemap) + sizeof(struct fiemap_extent)];
	struct fiemap *fm = (struct fiemap *)buf;
	memset(buf, 0, sizeof buf);
	fm->fm_start = off; fm->fm_length = PG; fm->fm_flags = FIEMAP_FLAG_SYNC; fm->fm_extent_count = 1;
	int r = ioctl(fd, FS_IOC_FIEMAP, fm);
	close(fd);
	if (r || fm->fm_mapped_extents < 1) return -1;
	struct fiemap_extent *x = &fm->fm_extents[0];
	return (long long)(x->fe_physical + (off - x->fe_logical));
}

static int supervise(const char *script)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	mkdir("/tmp/o", 0755); mkdir("/tmp/o/t", 0755);
	pid_t s = fork();
	if (s == 0) { execl("/bin/sh", "sh", script, (char *)0); _exit(127); }
	for (;;) {
		int st;
		pid_t p = wait(&st);
		if (p < 0) break;
		if (p == s) { printf("ORACLE: case script finished status=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)); fflush(stdout); continue; }
		char path[64];
		snprintf(path, sizeof path, "/tmp/o/dead.%d", p);
		FILE *f = fopen(path, "w");
		if (f) {
			if (WIFSIGNALED(st)) fprintf(f, "signal %s%s\n", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?", WCOREDUMP(st) ? " core" : "");
			else fprintf(f, "exit %d\n", WEXITSTATUS(st));
			fclose(f);
		}
	}
	return 0;
}

/* fill FD [OFF, OFF+LEN) as the model's set-up writes a file: one pwrite of the whole range (in
 * 64 MiB pieces for larger ones), so the filesystem sees one allocation request, not one per page
 * (ext4's mballoc places an 8 MiB request 2 MiB-aligned, 4 KiB requests wherever they fit). Page
 * p holds the letter 'A' + p % 26. */
int fill(int fd, long off, long len)
{
	const long piece = 64L << 20;
	char *buf = malloc(len < piece ? (size_t)len : (size_t)piece);
	if (!buf) return -1;
	for (long done = 0; done < len;) {
		long n = len - done < piece ? len - done : piece;
		for (long i = 0; i < n; i += PG) memset(buf + i, (int)(0x41 + ((off + done + i) / PG) % 26), n - i < (long)PG ? (size_t)(n - i) : PG);
		if (pwrite(fd, buf, n, off + done) != n) { free(buf); return -1; }
		done += n;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc < 2) return 2;
	const char *c = argv[1];
	snprintf(name, sizeof name, "-");
	if (!strcmp(c, "supervise") && argc == 3) return supervise(argv[2]);
	if (!strcmp(c, "agent") && argc == 6) return agent(argv + 2);
	if (files(argc, argv) == 0) return 0;
	if (!strcmp(c, "write") && argc == 4) {
		int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || fill(fd, 0, strtol(argv[3], 0, 0)) || fsync(fd)) { printf("ORACLE-SETUP: write %s failed: %s\n", argv[2], err(errno)); return 1; }
		return 0;
	}
	/* pattern FILE NAME PATOFF OFF LEN: LEN bytes of the named pattern from its offset PATOFF, at
	 * OFF in FILE (created if absent). A byte is a pure function of (pattern, offset inside the
	 * pattern), as the model's FileContent says: two runs of one pattern hold the same bytes where
	 * their offsets meet, different patterns never do. EROFS's mkfs deduplicates what is equal. */
	if (!strcmp(c, "pattern") && argc == 7) {
		int fd = open(argv[2], O_RDWR | O_CREAT, 0644);
		unsigned long long h = 1469598103934665603ULL;
		for (const char *p = argv[3]; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		unsigned long long q = strtoull(argv[4], 0, 0);
		long off = strtol(argv[5], 0, 0), len = strtol(argv[6], 0, 0);
		char buf[PG];
		for (long done = 0; fd >= 0 && done < len;) {
			long n = len - done < (long)PG ? len - done : (long)PG;
			for (long i = 0; i < n; i++) {
				unsigned long long at = q + (unsigned long long)(done + i), z = h ^ ((at >> 3) * 0x9e3779b97f4a7c15ULL);
				z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL; z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL; z ^= z >> 31;
				buf[i] = (char)(z >> (8 * (at & 7)));
			}
			if (pwrite(fd, buf, n, off + done) != n) { close(fd); fd = -1; break; }
			done += n;
		}
		if (fd < 0) { printf("ORACLE-SETUP: pattern %s failed: %s\n", argv[2], err(errno)); return 1; }
		close(fd);
		return 0;
	}
	if (!strcmp(c, "clone") && (argc == 4 || (argc == 5 && !strcmp(argv[4], "copy")))) {
		int s = open(argv[2], O_RDONLY), d = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (s < 0 || d < 0) return 1;
		if (ioctl(d, FICLONE, s) == 0) { fsync(d); printf("ORACLE-SETUP: clone %s %s FICLONE=0\n", argv[2], argv[3]); return 0; }
		int e = errno;
		if (argc == 4) { printf("ORACLE-SETUP: clone %s %s FICLONE=%s left empty\n", argv[2], argv[3], err(e)); return 0; }
		struct stat st; fstat(s, &st);
		char buf[PG];
		for (off_t o = 0; o < st.st_size; o += PG) { ssize_t n = pread(s, buf, PG, o); if (n <= 0 || pwrite(d, buf, n, o) != n) return 1; }
		fsync(d);
		printf("ORACLE-SETUP: clone %s %s FICLONE=%s copied\n", argv[2], argv[3], err(e));
		return 0;
	}
	if (!strcmp(c, "clonerange") && (argc == 7 || (argc == 8 && !strcmp(argv[7], "copy")))) {
		int s = open(argv[2], O_RDONLY), d = open(argv[4], O_RDWR);
		if (s < 0 || d < 0) return 1;
		struct file_clone_range r = { .src_fd = s, .src_offset = strtoull(argv[3], 0, 0), .src_length = strtoull(argv[6], 0, 0), .dest_offset = strtoull(argv[5], 0, 0) };
		if (ioctl(d, FICLONERANGE, &r) == 0) { fsync(d); printf("ORACLE-SETUP: clonerange %s %s FICLONERANGE=0\n", argv[2], argv[4]); return 0; }
		int e = errno;
		if (argc == 7) { printf("ORACLE-SETUP: clonerange %s %s FICLONERANGE=%s left as it was\n", argv[2], argv[4], err(e)); return 0; }
		char buf[PG];
		for (unsigned long long o = 0; o < r.src_length; o += PG) {
			ssize_t n = pread(s, buf, PG, r.src_offset + o);
			if (n <= 0 || pwrite(d, buf, n, r.dest_offset + o) != n) return 1;
		}
		fsync(d);
		printf("ORACLE-SETUP: clonerange %s %s FICLONERANGE=%s copied\n", argv[2], argv[4], err(e));
		return 0;
	}
	if ((!strcmp(c, "pwrite") || !strcmp(c, "pread")) && argc == 6) {
		step = argv[5];
		int fd = open(argv[2], O_RDWR);
		long off = strtol(argv[3], 0, 0), len = strtol(argv[4], 0, 0);
		if (fd < 0) { out("event=result what=%s rc=%s", c, err(errno)); return 0; }
		char *buf = calloc(1, len + 1);
		ssize_t n = !strcmp(c, "pread") ? pread(fd, buf, len, off) : (fill(fd, off, len) ? -1 : len);
		/* the model's convention: 0 for the whole range, else the short count or -errno */
		if (n < 0) out("event=result what=%s rc=%s", c, err(errno));
		else if (n == len) out("event=result what=%s rc=0", c);
		else out("event=result what=%s rc=%zd", c, n);
		return 0;
	}
	if (!strcmp(c, "punch") && argc == 6) {
		step = argv[5];
		int fd = open(argv[2], O_RDWR);
		int r = fd < 0 ? -1 : fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, strtol(argv[3], 0, 0), strtol(argv[4], 0, 0));
		out("event=result what=punch rc=%s", r ? err(errno) : "0");
		return 0;
	}
	if (!strcmp(c, "truncate") && argc == 5) {
		step = argv[4];
		int r = truncate(argv[2], strtol(argv[3], 0, 0));
		out("event=result what=truncate rc=%s", r ? err(errno) : "0");
		return 0;
	}
	if (!strcmp(c, "phys") && argc == 5) {
		long off = strtol(argv[3], 0, 0);
		long long p = phys_of(argv[2], off & ~(PG - 1));
		if (p < 0) return 1;
		printf("0x%llx\n", strtoull(argv[4], 0, 0) * PG + (unsigned long long)p + (off & (PG - 1)));
		return 0;
	}
	if (!strcmp(c, "setxattr") && argc == 6) {
		step = argv[5];
		size_t n = strtoul(argv[4], 0, 0);
		char *v = malloc(n ? n : 1);
		memset(v, 'x', n);
		int r = setxattr(argv[2], argv[3], v, n, 0);
		out("event=result what=setxattr rc=%s", r ? err(errno) : "0");
		return 0;
	}
	if (!strcmp(c, "removexattr") && argc == 5) {
		step = argv[4];
		int r = removexattr(argv[2], argv[3]);
		out("event=result what=removexattr rc=%s", r ? err(errno) : "0");
		return 0;
	}
	if (!strcmp(c, "unlink") && argc == 4) {
		step = argv[3];
		int r = unlink(argv[2]);
		out("event=result what=unlink rc=%s", r ? err(errno) : "0");
		return 0;
	}
	fprintf(stderr, "daxprobe: bad command line\n");
	return 2;
}
