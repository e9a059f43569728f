namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// The device as it stood after a step, for the HTML report's map: who owns each extent (the
/// mounted filesystem's reverse map over its whole range), which inode is which file, which pages
/// are poisoned (as the decisions say: SetPageHWPoison, action_result, badblocks) and the tasks.
/// Taken by the runner only when asked (<c>--format html</c>); text and JSON never show it.
/// </summary>
/// <param name="Device">The disk's name ("pmem0", "dax0.0").</param>
/// <param name="Size">The bytes the map covers: the namespace's data area.</param>
/// <param name="FileSystemStart">Where the mounted filesystem's block device starts on the disk, or null when nothing is mounted.</param>
/// <param name="FileSystemSize">Its length (0 when nothing is mounted).</param>
/// <param name="Records">Every reverse-map record of the filesystem, in the map's order.</param>
/// <param name="Files">The path of each inode the records name, where the directory tree gives one.</param>
/// <param name="Poisoned">The poisoned pages, in device order.</param>
/// <param name="Tasks">The scenario's tasks by name.</param>
internal sealed record DeviceMap(
    string Device,
    ulong Size,
    ulong? FileSystemStart,
    ulong FileSystemSize,
    IReadOnlyList<MapRecord> Records,
    IReadOnlyList<MapFile> Files,
    IReadOnlyList<PoisonedPage> Poisoned,
    IReadOnlyList<TaskRow> Tasks)
{
    /// <summary>The map's unit: a page.</summary>
    public const ulong BlockSize = 4096;

    /// <summary>Why the filesystem contributed no records ("not mounted", "reverse map: -EIO"), or null.</summary>
    public string? Note { get; init; }

    /// <summary>The number of blocks the map covers.</summary>
    public ulong Blocks => (Size + BlockSize - 1) / BlockSize;
}

/// <summary>One reverse-map record: [Start, Start+Length) on the disk, owned by an inode or by a kind of metadata.</summary>
internal sealed record MapRecord(ulong Start, ulong Length, ulong? Inode, string? Metadata, string Flags)
{
    /// <summary>"inode 131" or "metadata log": the owner as the legend keys it.</summary>
    public string Owner => Inode is { } ino ? $"inode {ino}" : $"metadata {Metadata}";
}

/// <summary>An inode and the path the directory tree gives it.</summary>
internal sealed record MapFile(ulong Inode, string Path);

/// <summary>A poisoned page: its offset on the disk, its pfn, and what says so ("SetPageHWPoison", "action_result: Recovered", "badblocks").</summary>
internal sealed record PoisonedPage(ulong Offset, ulong Pfn, IReadOnlyList<string> Why);

/// <summary>A scenario task as it stood: its scenario name, comm, tgid and tid, and whether (and why) it has exited.</summary>
internal sealed record TaskRow(string Name, string Comm, int Pid, int Tid, bool Exited, string? ExitReason);
