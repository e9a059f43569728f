/* agent.c: a scenario task of daxprobe (see daxprobe.c): its mappings, its SIGBUS handler and the
 * commands the case script hands it. */
#include "daxprobe.h"

/* ---- mappings ---- */
struct map { char as[64]; char *base; size_t len; int used; };
static struct map maps[32];

static struct map *find_map(const char *as)
{
	for (int i = 0; i < 32; i++)
		if (maps[i].used && !strcmp(maps[i].as, as)) return &maps[i];
	return 0;
}

/* ---- open files (open AS FILE, close AS, fsync AS): held by the task without a mapping ---- */
struct held { char as[64]; int fd; };
static struct held helds[32];

static struct held *find_held(const char *as)
{
	for (int i = 0; i < 32; i++)
		if (helds[i].fd > 0 && !strcmp(helds[i].as, as)) return &helds[i];
	return 0;
}

static void cmd_open(char **a)
{
	int fd = open(a[2], O_RDWR);
	if (fd < 0 && errno == EROFS) fd = open(a[2], O_RDONLY);
	if (fd < 0) { out("event=result what=open rc=%s", err(errno)); return; }
	for (int i = 0; i < 32; i++)
		if (helds[i].fd <= 0) { snprintf(helds[i].as, 64, "%s", a[1]); helds[i].fd = fd; break; }
	out("event=result what=open rc=fd");
}

static void cmd_close_fsync(char **a, int sync_only)
{
	struct held *h = find_held(a[1]);
	if (!h) { out("event=result what=%s rc=-EBADF", a[0]); return; }
	int r = sync_only ? fsync(h->fd) : close(h->fd);
	if (!sync_only) h->fd = 0;
	out("event=result what=%s rc=%s", a[0], r ? err(errno) : "0");
}

/* ---- signals ---- */
/* Per thread: a SIGBUS sent to one thread (force_sig_mceerr() to the task that was collected) runs
 * the handler in that thread, which records it for that thread's own next "report". */
struct ev { int sig, code, lsb; void *addr; pid_t tid; };
static __thread struct ev evs[64];
static __thread volatile int nev, reported;
static __thread sigjmp_buf jb;
static __thread volatile int guarded;

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

/* A touch that faults with SIGSEGV (no VMA: SEGV_MAPERR; no PROT_WRITE: SEGV_ACCERR) is reported
 * as the touch's result, then the default action runs (SA_RESETHAND: the access faults again and
 * the task dies of SIGSEGV, as the kernel's force_sig_fault() would have it). */
static __thread volatile long touch_off = -1;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)si; (void)uc;
	if (touch_off >= 0) out("event=result what=touch rc=SIGSEGV offset=0x%lx", (unsigned long)touch_off);
}

static void catch_segv(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, 0);
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
	const char *as = a[1], *file = a[2], *kind = a[5], *pmd = a[6], *pr = a[7] ? a[7] : "read-write";
	long off = strtol(a[3], 0, 0);
	size_t len = strtoul(a[4], 0, 0);
	int prot = !strcmp(pr, "read") ? PROT_READ : !strcmp(pr, "write") ? PROT_WRITE : PROT_READ | PROT_WRITE;
	int fd = open(file, prot == PROT_READ ? O_RDONLY : O_RDWR);
	int flags = !strcmp(kind, "shared") ? MAP_SHARED : MAP_PRIVATE;
	/* a read-only filesystem (EROFS) refuses O_RDWR: read-only fd; a shared mapping is then PROT_READ only */
	if (fd < 0 && errno == EROFS) { fd = open(file, O_RDONLY); if (flags & MAP_SHARED) prot = PROT_READ; }
	if (fd < 0) { out("event=result what=mmap rc=%s", err(errno)); return; }
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
	char *p = mmap(hint, len, prot, flags, fd, off);
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

/* The pfn behind a touched page, from /proc/self/pagemap (reopened each time: a forked child's
 * /proc/self is its own), appended to /tmp/o/seen.MAP as "PAGE PFN" for pfn-of map targets. */
static void record_seen(struct map *m, long off)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	int ok = pm >= 0 && pread(pm, &e, 8, (off_t)(((uintptr_t)(m->base + off) / PG) * 8)) == 8 && (e >> 63);
	if (pm >= 0) close(pm);
	if (!ok || !(e & ((1ULL << 55) - 1))) return;
	char path[128];
	snprintf(path, sizeof path, "/tmp/o/seen.%s", m->as);
	FILE *f = fopen(path, "a");
	if (!f) return;
	fprintf(f, "%ld 0x%llx\n", off / (long)PG, (unsigned long long)(e & ((1ULL << 55) - 1)));
	fclose(f);
}

static void cmd_touch(char **a)
{
	struct map *m = find_map(a[1]);
	long off = strtol(a[2], 0, 0), len = strtol(a[3], 0, 0);
	int wr = !strcmp(a[4], "write");
	if (!m) { out("event=result what=touch rc=no-map"); return; }
	catch_segv();
	for (long o = off & ~(PG - 1); o < off + len; o += PG) {
		volatile char *p = m->base + o;
		if (sigsetjmp(jb, 1)) { touch_off = -1; out("event=result what=touch rc=SIGBUS offset=0x%lx", o); return; }
		guarded = 1;
		touch_off = o;
		char v = *p;
		if (wr) *p = v;
		touch_off = -1;
		guarded = 0;
		record_seen(m, o);
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

/* debugfs hwpoison/corrupt-pfn (mm/hwpoison-inject.c: hwpoison_inject()) */
static void cmd_corrupt(char **a)
{
	/* "corrupt FILE OFF BASEPFN", "corrupt @dev DEVOFF BASEPFN" for a device offset, or
	 * "corrupt @pfn PFN BASEPFN" for a pfn a mapping saw (RAM or pmem) */
	long off = strtol(a[2], 0, 0);
	unsigned long long base = strtoull(a[3], 0, 0);
	int at_pfn = !strcmp(a[1], "@pfn");
	long long phys = at_pfn ? 0 : !strcmp(a[1], "@dev") ? (long long)off : phys_of(a[1], off);
	if (phys < 0) { out("event=result what=corrupt rc=no-extent"); return; }
	unsigned long long pfn = at_pfn ? strtoull(a[2], 0, 0) : base + (unsigned long long)phys / PG;
	if (at_pfn) phys = (long long)((pfn - base) * PG);
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

/* A scenario thread (pthread_create: clone(CLONE_THREAD), inheriting the creator's PR_MCE_KILL
 * flags, as copy_process() copies PF_MCE_PROCESS and PF_MCE_EARLY) with its own command loop. */
static void *thread_main(void *arg)
{
	snprintf(name, sizeof name, "%s", (char *)arg);
	free(arg);
	nev = reported = 0;
	agent_loop();
	return 0;
}

static void cmd_thread(char **a)
{
	pthread_t t;
	char *n = strdup(a[1]);
	int r = n ? pthread_create(&t, 0, thread_main, n) : ENOMEM;
	if (!r) pthread_detach(t);
	out("event=result what=thread rc=%s", r ? err(r) : "0");
}

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
	/* the kernel names a task by its tid ("Sending SIGBUS to comm:tid"); the pid file holds the
	 * process's pid, whose death the supervisor records */
	out("event=started pid=%d", (int)syscall(SYS_gettid));
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
		static __thread char stepbuf[16];
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
		else if (!strcmp(k, "thread") && n >= 3) cmd_thread(c);
		else if (!strcmp(k, "unbind")) cmd_unbind();
		else if (!strcmp(k, "open") && n >= 4) cmd_open(c);
		else if ((!strcmp(k, "close") || !strcmp(k, "fsync")) && n >= 3) cmd_close_fsync(c, !strcmp(k, "fsync"));
		else if (!strcmp(k, "report")) report();
		else if (!strcmp(k, "exit")) exiting = 1;
		else out("event=result what=%s rc=bad-command", k);
		snprintf(path, sizeof path, "%s/ack.%d", dir, seq);
		if (exiting) { report(); unlink(path); }
		close(open(path, O_WRONLY | O_CREAT, 0644));
		if (exiting && syscall(SYS_gettid) != getpid()) { /* a thread: only itself goes */
			snprintf(path, sizeof path, "%s/gone", dir);
			close(open(path, O_WRONLY | O_CREAT, 0644));
			syscall(SYS_exit, 0);
		}
		if (exiting) _exit(0);
	}
}

int agent(char **a)
{
	if (fork() != 0) return 0; /* the caller returns at once; the task is reparented to the subreaper */
	snprintf(name, sizeof name, "%s", a[0]);
	prctl(PR_SET_NAME, a[1], 0, 0, 0);
	set_sigbus(a[2]);
	if (set_policy(a[3])) out("event=result what=prctl rc=%s", err(errno));
	agent_loop();
	return 0;
}
