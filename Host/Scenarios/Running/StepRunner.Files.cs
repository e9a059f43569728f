using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Running;

/// <summary>
/// The file-lifecycle steps, each as its system call: mkdir(2), open(O_CREAT), getdents(2),
/// statx(2), FS_IOC_FSSETXATTR, open/close, fsync(2), umount(2)/mount(2) and ioctl(FICLONE).
/// </summary>
internal sealed partial class StepRunner
{
    /// <summary>getdents(2): 0 and the entries, sorted by name (the order getdents returns is the filesystem's: ext4's is its hash order, seeded per filesystem).</summary>
    private (string, StepResult) ReadDir(PathStep p)
    {
        var listed = state.RequireMount().FileSystem.Files.ReadDir(p.Path);
        if (!listed.IsOk)
        {
            return ($"readdir {p.Path}", StepResult.Of(listed.Error, listed.Message));
        }

        var names = listed.Value.Select(e => e.Name + (e.IsDirectory ? "/" : "")).Order(StringComparer.Ordinal).ToList();
        return ($"readdir {p.Path}", new StepResult("0", names.Count == 0 ? " (empty)" : $" ({string.Join(" ", names)})"));
    }

    /// <summary>
    /// statx(2): the path walk brings the inode into core (iget), so STATX_ATTR_DAX is its S_DAX
    /// as of its last read; directories are never S_DAX.
    /// </summary>
    private (string, StepResult) Stat(PathStep p)
    {
        var fs = state.RequireMount().FileSystem;
        var ino = fs.Files.Lookup(p.Path);
        if (!ino.IsOk)
        {
            return ($"stat {p.Path}", StepResult.Of(ino.Error, ino.Message));
        }

        var attr = fs.Files.GetAttr(ino.Value);
        if (!attr.IsOk)
        {
            return ($"stat {p.Path}", StepResult.Of(attr.Error, attr.Message));
        }

        var sdax = false;
        if (!attr.Value.IsDirectory)
        {
            var inode = fs.Inodes.Iget(ino.Value);
            if (!inode.IsOk)
            {
                return ($"stat {p.Path}", StepResult.Of(inode.Error, inode.Message));
            }

            sdax = inode.Value.Mapping.IsDax;
            fs.Inodes.Iput(inode.Value);
        }

        var a = attr.Value;
        var flags = string.Join(", ", new[] { a.DaxFlag ? "FS_XFLAG_DAX" : null, sdax ? "STATX_ATTR_DAX" : null }.Where(f => f is not null));
        return ($"stat {p.Path}", new StepResult("0", string.Create(CultureInfo.InvariantCulture,
            $" ({(a.IsDirectory ? "directory" : "regular file")}, size {Sz(a.Size.Value)}, blocks {a.Blocks}{(flags.Length == 0 ? "" : ", " + flags)})")));
    }

    /// <summary>open(O_CREAT|O_EXCL|O_WRONLY) in an existing directory, pwrite of the size, close.</summary>
    private (string, StepResult) Create(CreateStep c)
    {
        var mount = state.RequireMount();
        var what = $"open({c.Path}, O_CREAT|O_EXCL|O_WRONLY){(c.Size.Value == 0 ? "" : $", pwrite 0+{Sz(c.Size.Value)}")}";
        var parent = c.Path[..c.Path.LastIndexOf('/')];
        if (parent.Length > 0 && ParentRefusal(mount, parent) is { } refused)
        {
            return (what, refused);
        }

        var made = FileIo.Create(mount, c.Path, FileCreateOptions.Default);
        if (!made.IsOk || c.Size.Value == 0)
        {
            return (what, made.IsOk ? StepResult.Ok : StepResult.Of(made.Error, made.Message));
        }

        var written = FileIo.ReadWrite(mount, c.Path, default, c.Size, write: true);
        return (what, written == Errno.Ok ? StepResult.Ok : new StepResult(written.ToKernelString(), " (the pwrite)"));
    }

    /// <summary>-ENOENT or -ENOTDIR when the directory a new name goes in does not exist or is a file (fs/namei.c: the path walk).</summary>
    private static StepResult? ParentRefusal(Mount mount, string parent)
    {
        var ino = mount.FileSystem.Files.Lookup(parent);
        if (!ino.IsOk)
        {
            return StepResult.Of(ino.Error, ino.Message);
        }

        var attr = mount.FileSystem.Files.GetAttr(ino.Value);
        return attr.IsOk && !attr.Value.IsDirectory ? StepResult.Of(Errno.ENOTDIR, $"{parent} is not a directory") : null;
    }

    /// <summary>
    /// FS_IOC_FSGETXATTR, FS_XFLAG_DAX set or cleared, FS_IOC_FSSETXATTR, through an open of the
    /// path (a directory's flag is what its new children inherit). The result says whether the
    /// inode is still in core, since its S_DAX changes only when it is next read.
    /// </summary>
    private (string, StepResult) Chattr(ChattrStep c)
    {
        var fs = state.RequireMount().FileSystem;
        var what = $"chattr {(c.Dax ? "+x" : "-x")} {c.Path} (FS_XFLAG_DAX)";
        var ino = fs.Files.Lookup(c.Path);
        if (!ino.IsOk)
        {
            return (what, StepResult.Of(ino.Error, ino.Message));
        }

        var attr = fs.Files.GetAttr(ino.Value);
        if (!attr.IsOk || attr.Value.IsDirectory)
        {
            return (what, attr.IsOk ? StepResult.Of(fs.Files.SetDaxFlag(ino.Value, c.Dax)) : StepResult.Of(attr.Error, attr.Message));
        }

        var rc = FileIo.WithOpen(state.RequireMount(), c.Path, i => fs.Files.SetDaxFlag(i, c.Dax));
        if (rc != Errno.Ok)
        {
            return (what, StepResult.Of(rc));
        }

        var inCore = fs.Inodes.FindInCore(ino.Value);
        return (what, new StepResult("0", inCore is null
            ? " (the inode left core: its next read decides S_DAX)"
            : $" (the inode stays in core, S_DAX {(inCore.Mapping.IsDax ? "on" : "off")})"));
    }

    /// <summary>open(2) by a task: the file stays open (its inode referenced and in core) until close or exit.</summary>
    private (string, StepResult) Open(OpenStep o)
    {
        var task = state.Task(o.Task);
        var opened = Vfs.Open(state.RequireMount(), o.Path);
        var what = $"{o.Task} ({task}) open {o.Path} as {o.Name}";
        if (!opened.IsOk)
        {
            return (what, StepResult.Of(opened.Error, opened.Message));
        }

        var fd = task.Group.Files.Install(opened.Value);
        state.AddFd(o.Name, task, fd);
        return (what, new StepResult(fd.ToString(CultureInfo.InvariantCulture), " (the fd)"));
    }

    private (string, StepResult) Close(CloseStep c)
    {
        var task = state.Task(c.Task);
        var fd = state.Fd(task, c.Fd);
        return ($"{c.Task} ({task}) close {c.Fd} (fd {fd.ToString(CultureInfo.InvariantCulture)})", StepResult.Of(task.Group.Files.Close(fd)));
    }

    /// <summary>fsync(2) of a path (open, fsync, close) or of a task's open file; the result says what writeback found.</summary>
    private (string, StepResult) Fsync(FsyncStep f)
    {
        var mount = state.RequireMount();
        if (f.Path is { } path)
        {
            var opened = Vfs.Open(mount, path);
            if (!opened.IsOk)
            {
                return ($"fsync {path}", StepResult.Of(opened.Error, opened.Message));
            }

            var (rc, written) = Machine.Sync.Fsync(mount, opened.Value);
            Vfs.Close(opened.Value);
            return ($"fsync {path}", new StepResult(rc.ToKernelString(), $" ({written})"));
        }

        var task = state.Task(f.Task!);
        var fd = state.Fd(task, f.Fd!);
        var file = task.Group.Files.Get(fd) ?? throw new StepNotRunException($"{f.Fd} is closed");
        var (result, done) = Machine.Sync.Fsync(mount, file);
        return ($"{f.Task} ({task}) fsync {f.Fd} ({file.Path})", new StepResult(result.ToKernelString(), $" ({done})"));
    }

    /// <summary>umount(2): -EBUSY while a file is open or mapped; by the named task if any.</summary>
    private (string, StepResult) Umount(UmountStep u)
    {
        var mount = state.RequireMount();
        var caller = u.Task is { } name ? state.Task(name) : null;
        var what = $"{(caller is null ? "" : $"{u.Task} ({caller}): ")}umount";
        var rc = Machine.Umount(mount, caller);
        if (rc is null)
        {
            state.Mount = null;
            return (what, new StepResult("killed", " by SIGKILL in the oops; umount never returned (exit status 137)"));
        }

        if (rc == Errno.Ok)
        {
            state.Mount = null;
        }

        return (what, StepResult.Of(rc.Value));
    }

    /// <summary>mount(2) again, with the step's options (which stay in force) or the last ones.</summary>
    private (string, StepResult) MountAgain(MountStep m)
    {
        if (m.Options is { } options)
        {
            state.MountOptions = options;
        }

        var what = $"mount -o {state.MountOptions ?? state.Scenario.FileSystem!.Mount}";
        if (state.Mount is not null)
        {
            return (what, StepResult.Of(Errno.EBUSY, "already mounted"));
        }

        if (state.Image is null || state.Pmem is null)
        {
            throw new StepNotRunException("there is no filesystem image to mount");
        }

        return (what, ScenarioSetup.Mount(state) with { Prefix = "" });
    }

    /// <summary>cp --reflink=always: open (creating) the destination, ioctl(FICLONE); a refusal leaves the destination as it was.</summary>
    private (string, StepResult) Clone(CloneStep c)
    {
        var mount = state.RequireMount();
        var files = mount.FileSystem.Files;
        var what = $"FICLONE {c.From} -> {c.To}";
        if (!files.Lookup(c.From).IsOk is var missing && missing)
        {
            return (what, StepResult.Of(files.Lookup(c.From).Error) with { Prefix = "open: " });
        }

        var created = false;
        if (!files.Lookup(c.To).IsOk)
        {
            var made = FileIo.Create(mount, c.To, FileCreateOptions.Default);
            if (!made.IsOk)
            {
                return (what, StepResult.Of(made.Error, made.Message) with { Prefix = "open(O_CREAT): " });
            }

            created = true;
        }

        var rc = FileIo.WithOpen(mount, c.From, src => FileIo.WithOpen(mount, c.To, dst => files.Clone(src, dst)));
        return (what, rc == Errno.Ok || !created ? StepResult.Of(rc) : new StepResult(rc.ToKernelString(), $" ({c.To} created and left empty)"));
    }
}
