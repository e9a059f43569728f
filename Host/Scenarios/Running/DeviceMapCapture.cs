using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Running;

/// <summary>
/// Takes a <see cref="DeviceMap"/> of one cell's machine between steps: the mounted filesystem's
/// reverse map over its whole block device (IReverseMap.Query, as notify_failure walks it, but
/// without tracing), the paths its directory tree gives the inodes (readdir from the root, which
/// brings no inode into core), the device's poisoned pages and the tasks. Nothing here changes the
/// machine or adds to its decision trace. When the tree cannot be read (readdir is -EIO after a
/// shutdown) the paths of the last map that could read it are used.
/// </summary>
internal sealed class DeviceMapCapture
{
    private const int MaxDepth = 16;
    private const int MaxEntries = 4096;
    private readonly SortedDictionary<ulong, PoisonedPage> poisoned = [];
    private Dictionary<ulong, string> paths = [];

    /// <summary>
    /// A step's decisions, each step's in turn: the device's poisoned pages as they name them
    /// (each page SetPageHWPoison marked, each pfn memory_failure() ended in action_result() for,
    /// each page badblocks gained, and lost again when badblocks cleared it). Pfns off the device
    /// (page-cache pages) are not its.
    /// </summary>
    public void Observe(RunState state, IEnumerable<Decision> decisions)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(decisions);
        Func<Pfn, ulong?> offsetOf;
        Func<ulong, Pfn> pfnOf;
        if (state.Devdax is { } devdax)
        {
            var pagemap = devdax.Pagemap;
            offsetOf = pfn => pagemap.Covers(pfn) ? (pfn.Value - pagemap.Start.Value) * DeviceMap.BlockSize : null;
            pfnOf = offset => pagemap.Start.Add(offset / DeviceMap.BlockSize);
        }
        else if (state.Pmem is { } pmem)
        {
            offsetOf = pfn => pmem.IsDataPfn(pfn) ? pmem.OffsetOf(pfn).Value : null;
            pfnOf = offset => pmem.PfnOf(new DeviceOffset(offset));
        }
        else
        {
            return;
        }

        void Add(Pfn pfn, string why)
        {
            if (offsetOf(pfn) is { } offset)
            {
                poisoned[offset] = poisoned.TryGetValue(offset, out var seen)
                    ? (seen.Why.Contains(why) ? seen : seen with { Why = [.. seen.Why, why] })
                    : new PoisonedPage(offset, pfn.Value, [why]);
            }
        }

        foreach (var decision in decisions)
        {
            switch (decision)
            {
                case PagePoisoned p:
                    Add(p.Pfn, "SetPageHWPoison");
                    break;
                case ActionResultRecorded a:
                    Add(a.Pfn, $"action_result: {a.Result}");
                    break;
                case BadblocksChanged b:
                    var first = b.FirstSector * PageGeometry.SectorSize / DeviceMap.BlockSize;
                    var last = ((b.FirstSector + b.Sectors) * PageGeometry.SectorSize + DeviceMap.BlockSize - 1) / DeviceMap.BlockSize;
                    for (var page = first; page < last; page++)
                    {
                        if (b.Added)
                        {
                            Add(pfnOf(page * DeviceMap.BlockSize), "badblocks");
                        }
                        else
                        {
                            poisoned.Remove(page * DeviceMap.BlockSize);
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>The map as the machine of <paramref name="state"/> stands now, with the poisoned pages observed so far.</summary>
    public DeviceMap Take(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        List<PoisonedPage> pages = [.. poisoned.Values];
        var tasks = state.Tasks
            .Select(t => new TaskRow(t.Key, t.Value.Comm, t.Value.Group.Pid, t.Value.Tid, t.Value.Exited || t.Value.Group.Exited, t.Value.Group.ExitReason))
            .ToList();
        if (state.Devdax is { } devdax)
        {
            return new DeviceMap(devdax.Name, devdax.Size.Value, null, 0, [], [], pages, tasks) { Note = "device DAX: no filesystem" };
        }

        if (state.Pmem is not { } pmem)
        {
            return new DeviceMap("(no device)", 0, null, 0, [], [], [], tasks) { Note = "no namespace" };
        }

        var size = pmem.Disk.Size.Value;
        if (state.Mount is not { } mount)
        {
            return new DeviceMap(pmem.Name, size, null, 0, [], [], pages, tasks) { Note = "no filesystem mounted" };
        }

        var fs = mount.FileSystem;
        var range = new DeviceExtent(mount.Device.Start, mount.Device.Size);
        var records = fs.ReverseMap.Query(range)
            .Select(r => new MapRecord(r.Extent.Start.Value, r.Extent.Length.Value, r.Owner.Inode?.Value, r.Owner.Metadata, r.Flags == RmapRecordFlags.None ? "" : r.Flags.ToString()))
            .ToList();
        var named = new Dictionary<ulong, string>();
        if (Walk(fs.Files, "/", 0, named))
        {
            paths = named;
        }

        var files = records.Where(r => r.Inode is not null).Select(r => r.Inode!.Value).Distinct().Order()
            .Select(ino => new MapFile(ino, paths.TryGetValue(ino, out var path) ? path : $"inode {ino}"))
            .ToList();
        return new DeviceMap(pmem.Name, size, mount.Device.Start.Value, mount.Device.Size.Value, records, files, pages, tasks);
    }

    /// <summary>
    /// readdir from <paramref name="dir"/> down: each entry's inode gets its path (the first name
    /// found, in directory order). Whether <paramref name="dir"/> could be read.
    /// </summary>
    private static bool Walk(IFileOperations files, string dir, int depth, Dictionary<ulong, string> named)
    {
        if (depth > MaxDepth || named.Count > MaxEntries)
        {
            return true;
        }

        var listed = files.ReadDir(dir);
        if (!listed.IsOk)
        {
            return false;
        }

        foreach (var entry in listed.Value)
        {
            var path = dir == "/" ? "/" + entry.Name : dir + "/" + entry.Name;
            if (entry.IsDirectory)
            {
                Walk(files, path, depth + 1, named);
            }
            else
            {
                named.TryAdd(entry.Inode.Value, path);
            }
        }

        return true;
    }
}
