using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Scenarios.Language;

/// <summary>mkdir, readdir or stat of a path (any path: the kernel's errno is the result).</summary>
internal sealed record PathStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Operation, string Path) : Step(At, Expect)
{
    public override string Kind => Operation;
}

/// <summary>open(O_CREAT|O_EXCL) of a new file in an existing directory, then <paramref name="Size"/> bytes written.</summary>
internal sealed record CreateStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Path, ByteLength Size) : Step(At, Expect)
{
    public override string Kind => "create";
}

/// <summary>FS_IOC_FSSETXATTR setting or clearing FS_XFLAG_DAX on a file or directory (xfs_io -c 'chattr +x').</summary>
internal sealed record ChattrStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Path, bool Dax) : Step(At, Expect)
{
    public override string Kind => "chattr";
}

/// <summary>open(2) of a file by a task, which holds it (and its inode in core) under the name <paramref name="Name"/> until close or exit.</summary>
internal sealed record OpenStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, string Path, string Name) : Step(At, Expect)
{
    public override string Kind => "open";
}

/// <summary>close(2) of a task's file opened as <paramref name="Fd"/>.</summary>
internal sealed record CloseStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, string Fd) : Step(At, Expect)
{
    public override string Kind => "close";
}

/// <summary>fsync(2): of a path (open, fsync, close) or of a task's open file.</summary>
internal sealed record FsyncStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string? Path, string? Task, string? Fd) : Step(At, Expect)
{
    public override string Kind => "fsync";
}

/// <summary>sync(2).</summary>
internal sealed record SyncStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect) : Step(At, Expect)
{
    public override string Kind => "sync";
}

/// <summary>umount(2) of the scenario's filesystem, by the task if one is named.</summary>
internal sealed record UmountStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string? Task) : Step(At, Expect)
{
    public override string Kind => "umount";
}

/// <summary>mount(2) of the scenario's filesystem again, with its own options or the scenario's.</summary>
internal sealed record MountStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, FsOptions? Options) : Step(At, Expect)
{
    public override string Kind => "mount";
}

/// <summary>ioctl(FICLONE) from one file to another (created, as cp --reflink=always does, if it does not exist).</summary>
internal sealed record CloneStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string From, string To) : Step(At, Expect)
{
    public override string Kind => "clone";
}

/// <summary>A step whose <c>when</c> does not hold in this cell: it keeps its place (and number) and does nothing.</summary>
internal sealed record SkippedStep(SourceLocation At, string SkippedKind, string Why) : Step(At, [])
{
    public override string Kind => SkippedKind;
}
