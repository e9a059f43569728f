using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Host.Kernel;
using DaxHolder.Host.Kernel.Drivers.Nvdimm;
using DaxHolder.Host.Kernel.Fs;
using DaxHolder.Host.Kernel.Mm;
using DaxHolder.Host.Kernel.Mm.Memremap;
using DaxHolder.Host.Kernel.Mm.Tasks;
using DaxHolder.Host.Kernel.Signal;
using DaxHolder.Host.Kernel.Trace;
using DaxHolder.Host.Kernel.Units;
using DaxHolder.Host.Kernel.Versions;

namespace DaxHolder.Tests.Kernel.Support;

/// <summary>
/// A machine as spec 0.1's QEMU setup: a 1 GiB fsdax namespace at 4 GiB with a 2 MiB info block
/// (first data pfn 0x100200), testfs on pmem0, with or without holder operations.
/// </summary>
internal sealed class TestMachine : IDisposable
{
    public const ulong PhysicalBase = 0x1_0000_0000;

    public TestMachine(KernelProfile? profile = null, bool holder = true, MemmapLocation memmap = MemmapLocation.Ram, bool mount = true)
    {
        Machine = Machine.Boot(profile ?? KernelProfiles.V6_12);
        Pmem = Machine.Nvdimm.AddFsdaxNamespace(PhysicalBase, new ByteLength(1UL << 30), new ByteLength(PageGeometry.PmdSize), memmap);
        if (mount)
        {
            var type = new TestFsType();
            var image = Vfs.Mkfs(type, "testfs", Pmem.Disk, FsOptions.Parse("")).Value;
            Mount = Machine.Vfs.Mount(type, "testfs", image, Pmem.Disk, FsOptions.Parse(holder ? "holder" : "")).Value;
        }
    }

    public Machine Machine { get; }

    public PmemDevice Pmem { get; }

    public Mount Mount { get; } = null!;

    public IFileOperations Files => Mount.FileSystem.Files;

    public KernelContext Kernel => Machine.Kernel;

    /// <summary>Creates a file of <paramref name="pages"/> written pages (extent-size hint 2 MiB when <paramref name="aligned"/>).</summary>
    public InodeNumber CreateFile(string path, ulong pages, bool aligned = false)
    {
        var ino = Files.Create(path, new FileCreateOptions(aligned ? new ByteLength(PageGeometry.PmdSize) : null)).Value;
        Files.Fallocate(ino, FallocateMode.Allocate, new FileOffset(0), new ByteLength(pages * PageGeometry.PageSize)).ShouldBe(Errno.Ok);
        return ino;
    }

    public TaskStruct Spawn(int pid, string comm) => Machine.Tasks.Spawn(pid, comm);

    /// <summary>mmap(MAP_SHARED) of the whole of <paramref name="path"/> (or <paramref name="pages"/> of it) by a task.</summary>
    public VmArea MapShared(TaskStruct task, string path, ulong? pages = null, ulong pgoff = 0, bool huge = true, UserAddress? at = null, bool shared = true)
    {
        var file = Vfs.Open(Mount, path).Value;
        var length = pages is { } p ? p * PageGeometry.PageSize : (file.Size.Value + PageGeometry.PageSize - 1) & ~(PageGeometry.PageSize - 1);
        var flags = VmFlags.Read | VmFlags.Write | (shared ? VmFlags.Shared : VmFlags.None) | (huge ? VmFlags.None : VmFlags.NoHugePage);
        var vma = Mmap.DoMmap(task.Group.Mm!, file, new PageIndex(pgoff), new ByteLength(length), flags, at).Value;
        Vfs.Close(file);
        return vma;
    }

    /// <summary>Touches page <paramref name="page"/> of a VMA.</summary>
    public void Touch(TaskStruct task, VmArea vma, ulong page = 0, bool write = false) =>
        Machine.Fault.UserAccess(task, vma.Start.Add(page * PageGeometry.PageSize), write);

    /// <summary>The pfn backing page <paramref name="page"/> of the file at <paramref name="path"/>.</summary>
    public Pfn PfnOf(string path, ulong page)
    {
        var ino = Files.Lookup(path).Value;
        var map = Mount.FileSystem.Iomap.IomapBegin(ino, new FileOffset(page * PageGeometry.PageSize), ByteLength.Page, IomapRequest.Report).Value.Map;
        return Pmem.PfnOf(map.Address!.Value);
    }

    /// <summary>The decisions and log lines of one action.</summary>
    public (IReadOnlyList<Decision> Decisions, IReadOnlyList<string> Log) Record(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var decisions = Machine.Trace.Mark;
        var log = Kernel.Log.Mark;
        action();
        Machine.DeliverPendingSignals();
        return (Machine.Trace.Since(decisions), Kernel.Log.Since(log).Select(l => l.Text).ToList());
    }

    public static IReadOnlyList<SignalRecord> Signals(IEnumerable<Decision> decisions) =>
        decisions.OfType<SignalSent>().Select(s => s.Signal).ToList();

    public void Dispose() => Machine.Dispose();
}
