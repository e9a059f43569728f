/* daxprobe: the guest side of `daxholder oracle`. Built at image-build time with gcc -static.
 *
 *   daxprobe supervise SCRIPT      subreaper (prctl PR_SET_CHILD_SUBREAPER): runs SCRIPT with /bin/sh and
 *                                  reaps every orphaned task, writing /tmp/o/dead.PID ("exit N" | "signal S")
 *   daxprobe agent NAME COMM SIGBUS POLICY
 *                                  a scenario task: a process that detaches (double fork, so the supervisor
 *                                  reaps it), then runs the commands the case script writes to
 *                                  /tmp/o/t/NAME/cmd.SEQ, one at a time, acknowledging each with ack.SEQ
 *   daxprobe write FILE SIZE       a file of SIZE bytes, page i filled with 'A' + i % 26 (pwrite, fsync)
 *   daxprobe clone SRC DST         ioctl(FICLONE); on EOPNOTSUPP/EXDEV/EINVAL a copy (cp --reflink=auto)
 *   daxprobe clonerange SRC SOFF DST DOFF LEN   ioctl(FICLONERANGE); a write of the range when refused
 *   daxprobe pwrite|pread FILE OFF LEN          one pwrite/pread, prints the return value
 *   daxprobe punch FILE OFF LEN | truncate FILE SIZE | unlink FILE
 *   daxprobe phys FILE OFF BASEPFN  the guest-physical address of a file offset (FIEMAP: nothing is mapped)
 *
 * Agent commands (one line each): mmap AS FILE OFF LEN shared|private pmd|nopmd, munmap AS,
 * touch AS OFF LEN read|write, madvise AS OFF LEN hwpoison|soft-offline, corrupt FILE OFF BASEPFN,
 * set SIGBUS POLICY, fork CHILD COMM SIGBUS, unbind, report, exit.
 * Every observation is one line "RESULT step=S task=NAME ..." written with a single write(2).
 * Signals are recorded by the SIGBUS handler (si_code, si_addr, si_addr_lsb, the thread) and
 * printed by the next "report", with the address as the mapping name and offset inside it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

static char name[64] = "?";
static const char *step = "0";

static void out(const char *fmt, ...)
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

static const char *err(int e)
{
	static char b[64];
	const char *s = strerrorname_np(e);
	snprintf(b, sizeof b, "-%s", s ? s : "E?");
	return b;
}

/* ---- mappings ---- */
struct map { char as[64]; char *base; size_t len; int used; };
static struct map maps[32];

static struct map *find_map(const char *as)
{
	for (int i = 0; i < 32; i++)
		if (maps[i].used && !strcmp(maps[i].as, as)) return &maps[i];
	return 0;
}

/* ---- signals ---- */
struct ev { int sig, code, lsb; void *addr; pid_t tid; };
static struct ev evs[64];
static volatile int nev, reported;
static sigjmp_buf jb;
static volatile int guarded;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int i = __sync_fetch_and_add(&nev, 1);
	if (i < 64) {
		evs[i].sig = sig; evs[i].code = si->si_code; evs[i].addr = si->si_addr;
		evs[i].lsb = si->si_addr_lsb; evs[i].tid = (pid_t)syscall(SYS_gettid);
	}
	if (guarded) { guarded = 0; siglongjmp(jb, 1); }
}

static const char *codename(int c)
{
	switch (c) {
	case BUS_MCEERR_AR: return "BUS_MCEERR_AR";
	case BUS_MCEERR_AO: return "BUS_MCEERR_AO";
	case BUS_ADRALN: return "BUS_ADRALN";
	case BUS_ADRERR: return "BUS_ADRERR";
	case BUS_OBJERR: return "BUS_OBJERR";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_USER: return "SI_USER";
	default: return "other";
	}
}

static void report(void)
{
	int n = nev;
	for (int i = reported; i < n && i < 64; i++) {
		struct ev *e = &evs[i];
		const char *as = "-"; unsigned long off = (unsigned long)e->addr;
		for (int m = 0; m < 32; m++) {
			char *a = e->addr;
			if (maps[m].used && a >= maps[m].base && a < maps[m].base + maps[m].len) {
				as = maps[m].as; off = (unsigned long)(a - maps[m].base); break;
			}
		}
		out("event=signal sig=%s si_code=%s lsb=%d map=%s offset=0x%lx tid_is_main=%d",
		    e->sig == SIGBUS ? "SIGBUS" : "other", codename(e->code), e->lsb, as, off, e->tid == getpid());
	}
	reported = n;
}

static void set_sigbus(const char *how)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	if (!strcmp(how, "handler")) { sa.sa_sigaction = on_sigbus; sa.sa_flags = SA_SIGINFO | SA_NODEFER; }
	else if (!strcmp(how, "ignore")) sa.sa_handler = SIG_IGN;
	else sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, 0);
}

/* prctl(PR_MCE_KILL): mm/memory-failure.c task_early_kill() reads PF_MCE_PROCESS/PF_MCE_EARLY */
static int set_policy(const char *p)
{
	if (!strcmp(p, "early")) return prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0);
	if (!strcmp(p, "late")) return prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0);
	if (!strcmp(p, "default")) return prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0);
	return 0; /* "-": inherit */
}

/* ---- agent commands ---- */
static void cmd_mmap(char **a)
{
	const char *as = a[1], *file = a[2], *kind = a[5], *pmd = a[6];
	long off = strtol(a[3], 0, 0);
	size_t len = strtoul(a[4], 0, 0);
	int fd = open(file, O_RDWR);
	if (fd < 0) { out("event=result what=mmap rc=%s", err(errno)); return; }
	int flags = !strcmp(kind, "shared") ? MAP_SHARED : MAP_PRIVATE;
	/* Where the VMA lies decides whether a PMD fault is possible (fs/dax.c: dax_iomap_pmd_fault()
	 * needs a 2 MiB-aligned range inside the VMA): pmd asks for an aligned start, nopmd for one
	 * 4 KiB past an aligned boundary when the mapping is big enough to take a PMD. */
	char *hint = 0;
	if (len >= PMD) {
		char *r = mmap(0, len + 2 * PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r != MAP_FAILED) {
			munmap(r, len + 2 * PMD);
			hint = (char *)(((uintptr_t)r + PMD - 1) & ~(PMD - 1));
			if (strcmp(pmd, "pmd")) hint += PG;
			flags |= MAP_FIXED_NOREPLACE;
		}
	}
	char *p = mmap(hint, len, PROT_READ | PROT_WRITE, flags, fd, off);
	int e = errno;
	close(fd);
	if (p == MAP_FAILED) { out("event=result what=mmap rc=%s", err(e)); return; }
	if (strcmp(pmd, "pmd") && len >= PMD) madvise(p, len, MADV_NOHUGEPAGE);
	for (int i = 0; i < 32; i++)
		if (!maps[i].used) { snprintf(maps[i].as, 64, "%s", as); maps[i].base = p; maps[i].len = len; maps[i].used = 1; break; }
	out("event=result what=mmap rc=0");
}

static void cmd_munmap(char **a)
{
	struct map *m = find_map(a[1]);
	if (!m) { out("event=result what=munmap rc=-EINVAL"); return; }
	int r = munmap(m->base, m->len);
	out("event=result what=munmap rc=%s", r ? err(errno) : "0");
	if (!r) m->used = 0;
}

static void cmd_touch(char **a)
{
	struct map *m = find_map(a[1]);
	long off = strtol(a[2], 0, 0), len = strtol(a[3], 0, 0);
	int wr = !strcmp(a[4], "write");
	if (!m) { out("event=result what=touch rc=no-map"); return; }
	for (long o = off & ~(PG - 1); o < off + len; o += PG) {
		volatile char *p = m->base + o;
		if (sigsetjmp(jb, 1)) { out("event=result what=touch rc=SIGBUS offset=0x%lx", o); return; }
		guarded = 1;
		char v = *p;
		if (wr) *p = v;
		guarded = 0;
	}
	out("event=result what=touch rc=done");
}

static void cmd_madvise(char **a)
{
	struct map *m = find_map(a[1]);
	long off = strtol(a[2], 0, 0), len = strtol(a[3], 0, 0);
	int adv = !strcmp(a[4], "soft-offline") ? MADV_SOFT_OFFLINE : MADV_HWPOISON;
	if (!m) { out("event=result what=madvise rc=no-map"); return; }
	int r = madvise(m->base + off, len, adv);
	out("event=result what=madvise rc=%s", r ? err(errno) : "0");
}

/* FIEMAP: the device byte offset of a file offset (no mapping, so no DAX entry is made) */
static long long phys_of(const char *file, long off)
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

/* debugfs hwpoison/corrupt-pfn (mm/hwpoison-inject.c: hwpoison_inject()) */
static void cmd_corrupt(char **a)
{
	long off = strtol(a[2], 0, 0);
	unsigned long long base = strtoull(a[3], 0, 0);
	long long phys = phys_of(a[1], off);
	if (phys < 0) { out("event=result what=corrupt rc=no-extent"); return; }
	unsigned long long pfn = base + (unsigned long long)phys / PG;
	char b[64];
	int n = snprintf(b, sizeof b, "0x%llx\n", pfn);
	int fd = open("/sys/kernel/debug/hwpoison/corrupt-pfn", O_WRONLY);
	if (fd < 0) { out("event=result what=corrupt rc=%s", err(errno)); return; }
	int r = write(fd, b, n) == n ? 0 : -1, e = errno;
	close(fd);
	out("event=result what=corrupt rc=%s device_offset=0x%llx", r ? err(e) : "0", phys);
}

/* device unbind: the pfn device's name to nd_pmem's unbind (drivers/nvdimm/pmem.c: pmem_remove(),
 * which on 6.7+ notifies the holder with MF_MEM_PRE_REMOVE first) */
static void cmd_unbind(void)
{
	char dev[256] = "";
	DIR *d = opendir("/sys/bus/nd/drivers/nd_pmem");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "pfn", 3)) { snprintf(dev, sizeof dev, "%s", e->d_name); break; }
	if (d) closedir(d);
	if (!dev[0]) { out("event=result what=unbind rc=no-pfn-device"); return; }
	int fd = open("/sys/bus/nd/drivers/nd_pmem/unbind", O_WRONLY);
	if (fd < 0) { out("event=result what=unbind rc=%s", err(errno)); return; }
	int r = write(fd, dev, strlen(dev)) == (ssize_t)strlen(dev) ? 0 : -1, en = errno;
	close(fd);
	out("event=result what=unbind rc=%s device=%s", r ? err(en) : "0", dev);
}

static void agent_loop(void);

static void cmd_fork(char **a)
{
	pid_t c = fork();
	if (c < 0) { out("event=result what=fork rc=%s", err(errno)); return; }
	if (c == 0) {
		/* the intermediate exits so the supervisor, not the parent task, reaps the child */
		if (fork() != 0) _exit(0);
		snprintf(name, sizeof name, "%s", a[1]);
		if (strcmp(a[2], "-")) prctl(PR_SET_NAME, a[2], 0, 0, 0);
		if (strcmp(a[3], "-")) set_sigbus(a[3]);
		nev = reported = 0;
		agent_loop();
		_exit(0);
	}
	waitpid(c, 0, 0);
	out("event=result what=fork rc=0");
}

static void agent_loop(void)
{
	char dir[128], path[192], line[512];
	snprintf(dir, sizeof dir, "/tmp/o/t/%s", name);
	mkdir(dir, 0755);
	out("event=started pid=%d", getpid());
	snprintf(path, sizeof path, "%s/pid", dir);
	FILE *pf = fopen(path, "w");
	if (pf) { fprintf(pf, "%d\n", getpid()); fclose(pf); }
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	for (int seq = 1;; seq++) {
		snprintf(path, sizeof path, "%s/cmd.%d", dir, seq);
		FILE *f;
		while (!(f = fopen(path, "r"))) nanosleep(&ts, 0);
		if (!fgets(line, sizeof line, f)) line[0] = 0;
		fclose(f);
		line[strcspn(line, "\n")] = 0;
		char *a[12] = { 0 }, *save = 0;
		int n = 0;
		for (char *t = strtok_r(line, " ", &save); t && n < 11; t = strtok_r(0, " ", &save)) a[n++] = t;
		static char stepbuf[16];
		snprintf(stepbuf, sizeof stepbuf, "%s", n ? a[0] : "?");
		step = stepbuf;
		char **c = a + 1;
		const char *k = c[0] ? c[0] : "";
		int exiting = 0;
		if (!strcmp(k, "mmap") && n >= 8) cmd_mmap(c);
		else if (!strcmp(k, "munmap") && n >= 3) cmd_munmap(c);
		else if (!strcmp(k, "touch") && n >= 6) cmd_touch(c);
		else if (!strcmp(k, "madvise") && n >= 6) cmd_madvise(c);
		else if (!strcmp(k, "corrupt") && n >= 5) cmd_corrupt(c);
		else if (!strcmp(k, "set") && n >= 4) {
			if (strcmp(c[1], "-")) set_sigbus(c[1]);
			int r = set_policy(c[2]);
			out("event=result what=set rc=%s", r ? err(errno) : "0");
		} else if (!strcmp(k, "fork") && n >= 5) cmd_fork(c);
		else if (!strcmp(k, "unbind")) cmd_unbind();
		else if (!strcmp(k, "report")) report();
		else if (!strcmp(k, "exit")) exiting = 1;
		else out("event=result what=%s rc=bad-command", k);
		snprintf(path, sizeof path, "%s/ack.%d", dir, seq);
		if (exiting) { report(); unlink(path); }
		close(open(path, O_WRONLY | O_CREAT, 0644));
		if (exiting) _exit(0);
	}
}

static int agent(char **a)
{
	if (fork() != 0) return 0; /* the caller returns at once; the task is reparented to the subreaper */
	snprintf(name, sizeof name, "%s", a[0]);
	prctl(PR_SET_NAME, a[1], 0, 0, 0);
	set_sigbus(a[2]);
	if (set_policy(a[3])) out("event=result what=prctl rc=%s", err(errno));
	agent_loop();
	return 0;
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

static int fill(int fd, long off, long len)
{
	char buf[PG];
	for (long o = off; o < off + len; o += PG) {
		long n = off + len - o < (long)PG ? off + len - o : (long)PG;
		memset(buf, (int)(0x41 + (o / PG) % 26), PG);
		if (pwrite(fd, buf, n, o) != n) return -1;
	}
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
	if (!strcmp(c, "write") && argc == 4) {
		int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || fill(fd, 0, strtol(argv[3], 0, 0)) || fsync(fd)) { printf("ORACLE-SETUP: write %s failed: %s\n", argv[2], err(errno)); return 1; }
		return 0;
	}
	if (!strcmp(c, "clone") && argc == 4) {
		int s = open(argv[2], O_RDONLY), d = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (s < 0 || d < 0) return 1;
		if (ioctl(d, FICLONE, s) == 0) { fsync(d); printf("ORACLE-SETUP: clone %s %s FICLONE=0\n", argv[2], argv[3]); return 0; }
		int e = errno;
		struct stat st; fstat(s, &st);
		char buf[PG];
		for (off_t o = 0; o < st.st_size; o += PG) { ssize_t n = pread(s, buf, PG, o); if (n <= 0 || pwrite(d, buf, n, o) != n) return 1; }
		fsync(d);
		printf("ORACLE-SETUP: clone %s %s FICLONE=%s copied\n", argv[2], argv[3], err(e));
		return 0;
	}
	if (!strcmp(c, "clonerange") && argc == 7) {
		int s = open(argv[2], O_RDONLY), d = open(argv[4], O_RDWR);
		if (s < 0 || d < 0) return 1;
		struct file_clone_range r = { .src_fd = s, .src_offset = strtoull(argv[3], 0, 0), .src_length = strtoull(argv[6], 0, 0), .dest_offset = strtoull(argv[5], 0, 0) };
		if (ioctl(d, FICLONERANGE, &r) == 0) { fsync(d); printf("ORACLE-SETUP: clonerange %s %s FICLONERANGE=0\n", argv[2], argv[4]); return 0; }
		int e = errno;
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
	if (!strcmp(c, "unlink") && argc == 4) {
		step = argv[3];
		int r = unlink(argv[2]);
		out("event=result what=unlink rc=%s", r ? err(errno) : "0");
		return 0;
	}
	fprintf(stderr, "daxprobe: bad command line\n");
	return 2;
}
