using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Arch.X86;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;
using DaxHolder.Kernel.Versions;

using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Xfs.Support;

/// <summary>
/// A machine as the QEMU setup Debian's kernels were observed on (a 1 GiB fsdax namespace at 4 GiB
/// with a 2 MiB info block, first data pfn 0x100200) with the shipped XFS plugin, loaded as
/// daxholder loads it, made with <c>mkfs.xfs -m reflink=1,rmapbt=1</c> and mounted <c>-o
/// dax=always</c> unless told otherwise.
/// </summary>
internal sealed class XfsMachine : IDisposable
{
    public const ulong PhysicalBase = 0x1_0000_0000;
    public const string Plugin = "Xfs";
    public const string DefaultMkfs = "reflink=1,rmapbt=1";

    /// <summary>What the first machine check of a boot prints before memory_failure() runs (arch/x86/kernel/cpu/mce/core.c: the taint, then the logged record).</summary>
    public static readonly string[] FirstMachineCheck = ["Disabling lock debugging due to kernel taint", "mce: [Hardware Error]: Machine check events logged"];

    public XfsMachine(KernelProfile? profile = null, string mkfs = DefaultMkfs, string mount = "dax=always", bool mounted = true, ulong? partitionStart = null, ulong? partitionSize = null, bool externalLog = false)
    {
        Machine = Machine.Boot(profile ?? KernelProfiles.V6_12);
        Pmem = Machine.Nvdimm.AddFsdaxNamespace(PhysicalBase, new ByteLength(1UL << 30), new ByteLength(PageGeometry.PmdSize), MemmapLocation.Ram);
        Device = partitionStart is { } start
            ? Pmem.AddPartition(new DeviceOffset(start), new ByteLength(partitionSize ?? (Pmem.Disk.Size.Value - start)))
            : Pmem.Disk;
        MountOptions = mount;
        if (externalLog)
        {
            LogPmem = Machine.Nvdimm.AddFsdaxNamespace(PhysicalBase + (2UL << 30), new ByteLength(256UL << 20), new ByteLength(PageGeometry.PmdSize), MemmapLocation.Ram);
        }

        var made = Vfs.Mkfs(Type, Device, FsOptions.Parse(mkfs), LogPmem?.Disk);
        made.IsOk.ShouldBeTrue($"mkfs.xfs {mkfs}: {made}");
        Image = made.Value;
        if (mounted)
        {
            var result = MountFs(mount);
            result.IsOk.ShouldBeTrue($"mount -o {mount}: {result}");
        }
    }

    /// <summary>The shipped plugin's "xfs" type (loaded once per test run).</summary>
    public static FileSystemTypeEntry Type => ShippedPlugins.Type("xfs", "XFS");

    public Machine Machine { get; }

    public PmemDevice Pmem { get; }

    public BlockDevice Device { get; }

    /// <summary>pmem1, the external log's disk, when asked for.</summary>
    public PmemDevice? LogPmem { get; }

    public IFileSystemImage Image { get; }

    public string MountOptions { get; }

    public Mount Mount { get; private set; } = null!;

    public IMountedFileSystem Fs => Mount.FileSystem;

    public IFileOperations Files => Mount.FileSystem.Files;

    public KernelContext Kernel => Machine.Kernel;

    public IReadOnlyList<string> LogLines => Kernel.Log.Lines.Select(l => l.Text).ToList();

    /// <summary>mount(2) of the image on its device.</summary>
    public ErrnoOr<Mount> MountFs(string options)
    {
        var mounted = Machine.Vfs.Mount(Type, Image, Device, FsOptions.Parse(options));
        if (mounted.IsOk)
        {
            Mount = mounted.Value;
        }

        return mounted;
    }

    /// <summary>fstests' _scratch_cycle_mount: unmount and mount again with the same options (the inode cache starts empty).</summary>
    public void CycleMount()
    {
        Machine.Vfs.Unmount(Mount).ShouldBe(Errno.Ok, "umount");
        MountFs(MountOptions).IsOk.ShouldBeTrue("mount again");
    }

    /// <summary>A new file of <paramref name="bytes"/> written bytes (pwrite), optionally with a 2 MiB extent-size hint.</summary>
    public InodeNumber WriteFile(string path, ulong bytes, bool pmdHint = false)
    {
        var ino = Files.Create(path, new FileCreateOptions(pmdHint ? new ByteLength(PageGeometry.PmdSize) : null)).Value;
        Files.Write(ino, FileOffset.Zero, new ByteLength(bytes)).ShouldBe(ErrnoOr<ByteLength>.Ok(new ByteLength(bytes)), $"pwrite {path}");
        return ino;
    }

    public InodeNumber InodeOf(string path) => Files.Lookup(path).Value;

    public TaskStruct Spawn(int pid, string comm) => Machine.Tasks.Spawn(pid, comm);

    public TaskStruct Fork(TaskStruct parent, int pid) => Machine.Fork(parent, pid);

    /// <summary>open + mmap(MAP_SHARED) of <paramref name="pages"/> pages (default: the whole file) from page <paramref name="pgoff"/>, then close.</summary>
    public VmArea MapShared(TaskStruct task, string path, ulong? pages = null, ulong pgoff = 0, bool huge = false, UserAddress? at = null, bool write = false)
    {
        var file = Vfs.Open(Mount, path).Value;
        var length = pages is { } p ? p * PageGeometry.PageSize : (file.Size.Value + PageGeometry.PageSize - 1) & ~(PageGeometry.PageSize - 1);
        var flags = VmFlags.Read | (write ? VmFlags.Write : VmFlags.None) | VmFlags.Shared | (huge ? VmFlags.None : VmFlags.NoHugePage);
        var vma = Mmap.DoMmap(task.Group.Mm!, file, new PageIndex(pgoff), new ByteLength(length), flags, at).Value;
        Vfs.Close(file);
        return vma;
    }

    /// <summary>A load (or store) from page <paramref name="page"/> of a VMA.</summary>
    public AccessResult Touch(TaskStruct task, VmArea vma, ulong page = 0, bool write = false) =>
        Machine.Fault.UserAccess(task, AddressOf(vma, page), write);

    /// <summary>madvise(MADV_HWPOISON) of <paramref name="pages"/> pages from page <paramref name="page"/> of a VMA.</summary>
    public Errno Madvise(TaskStruct task, VmArea vma, ulong page = 0, ulong pages = 1) =>
        Machine.Madvise.HwPoison(task, AddressOf(vma, page), new ByteLength(pages * PageGeometry.PageSize));

    /// <summary>munmap of a whole VMA.</summary>
    public void Unmap(TaskStruct task, VmArea vma) =>
        Mmap.DoMunmap(task.Group.Mm!, vma.Start, new ByteLength(vma.End.Value - vma.Start.Value)).ShouldBe(Errno.Ok);

    /// <summary>The disk offset of file block <paramref name="page"/> (an iomap report; the inode is not brought into core).</summary>
    public DeviceOffset OffsetOf(string path, ulong page)
    {
        var map = Fs.Iomap.IomapBegin(InodeOf(path), new FileOffset(page * PageGeometry.PageSize), ByteLength.Page, IomapRequest.Report).Value.Map;
        map.Type.ShouldNotBe(IomapType.Hole, $"{path} page {page} is a hole");
        return map.Address!.Value.Add(new ByteLength((page * PageGeometry.PageSize) - map.Offset.Value));
    }

    public Pfn PfnOf(string path, ulong page) => Pmem.PfnOf(OffsetOf(path, page));

    /// <summary>The first disk byte of a named piece of metadata ("agf 1").</summary>
    public DeviceOffset Locate(string name) => Fs.ReverseMap.LocateMetadata(name).Value.Start;

    /// <summary>An asynchronous machine check (SRAO patrol scrub) at a disk offset: current is a kworker, flags 0.</summary>
    public Errno MachineCheckAt(DeviceOffset offset) => Machine.Mce.AsyncMachineCheck(Pmem.PfnOf(offset));

    /// <summary>The decisions and log lines of one action, signals delivered at its end.</summary>
    public (IReadOnlyList<Decision> Decisions, IReadOnlyList<string> Log) Record(Action action) => Machine.Record(action);

    public static IReadOnlyList<SignalRecord> Signals(IEnumerable<Decision> decisions) => DaxHolder.Tests.Kernel.Support.TestMachine.Signals(decisions);

    /// <summary>prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY) on a thread.</summary>
    public static void SetEarlyKill(TaskStruct thread) =>
        Prctl.MceKill(thread, Prctl.PR_MCE_KILL_SET, (long)MceKillPolicy.Early).ShouldBe(Errno.Ok);

    public static UserAddress AddressOf(VmArea vma, ulong page = 0) => vma.Start.Add(page * PageGeometry.PageSize);

    public static PageTableEntry? Leaf(TaskStruct task, VmArea vma, ulong page = 0) =>
        task.Group.Mm!.PageTable.Lookup(AddressOf(vma, page));

    public static KernelProfile Profile(string name) =>
        KernelProfiles.Find(name) ?? throw new ArgumentException($"no kernel profile {name}", nameof(name));

    public void Dispose() => Machine.Dispose();
}
