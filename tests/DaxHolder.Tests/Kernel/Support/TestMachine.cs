using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Modules;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;
using DaxHolder.Kernel.Versions;

using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Kernel.Support;

/// <summary>
/// A machine as the QEMU setup Debian's kernels were observed on: a 1 GiB fsdax namespace at 4 GiB
/// with a 2 MiB info block (first data pfn 0x100200), testfs on pmem0, with or without holder
/// operations.
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
            var type = RegisterTestFs(Machine);
            var image = Vfs.Mkfs(type, Pmem.Disk, FsOptions.Parse("")).Value;
            Mount = Machine.Vfs.Mount(type, image, Pmem.Disk, FsOptions.Parse(holder ? "holder" : "")).Value;
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
    public (IReadOnlyList<Decision> Decisions, IReadOnlyList<string> Log) Record(Action action) => Machine.Record(action);

    public static IReadOnlyList<SignalRecord> Signals(IEnumerable<Decision> decisions) =>
        decisions.OfType<SignalSent>().Select(s => s.Signal).ToList();

    /// <summary>The profile called "6.1" or "6.12", for theories over both kernels.</summary>
    public static KernelProfile Profile(string name) =>
        KernelProfiles.Find(name) ?? throw new ArgumentException($"no kernel profile {name}", nameof(name));

    /// <summary>The present leaf (PTE/PMD) mapping page <paramref name="page"/> of a VMA in a task's mm, or null.</summary>
    public static PageTableEntry? Leaf(TaskStruct task, VmArea vma, ulong page = 0) =>
        task.Group.Mm!.PageTable.Lookup(vma.Start.Add(page * PageGeometry.PageSize));

    /// <summary>The user address of page <paramref name="page"/> of a VMA.</summary>
    public static UserAddress AddressOf(VmArea vma, ulong page = 0) => vma.Start.Add(page * PageGeometry.PageSize);

    /// <summary>madvise(MADV_HWPOISON) of <paramref name="pages"/> pages from page <paramref name="page"/> of a VMA.</summary>
    public Errno Madvise(TaskStruct task, VmArea vma, ulong page = 0, ulong pages = 1) =>
        Machine.Madvise.HwPoison(task, AddressOf(vma, page), new ByteLength(pages * PageGeometry.PageSize));

    /// <summary>prctl(PR_MCE_KILL, PR_MCE_KILL_SET, policy) on a thread.</summary>
    public static void SetMceKill(TaskStruct thread, MceKillPolicy policy) =>
        Prctl.MceKill(thread, Prctl.PR_MCE_KILL_SET, (long)policy).ShouldBe(Errno.Ok);

    /// <summary>The disk offset of page <paramref name="page"/> of the file at <paramref name="path"/>.</summary>
    public DeviceOffset OffsetOf(string path, ulong page) => Pmem.OffsetOf(PfnOf(path, page));

    /// <summary>Brings <paramref name="path"/>'s inode into core (as open(2) does) for read(2)/write(2), and returns its number.</summary>
    public InodeNumber OpenForIo(string path)
    {
        var ino = InodeOf(path);
        Mount.FileSystem.Inodes.Iget(ino).IsOk.ShouldBeTrue();
        return ino;
    }

    /// <summary>The inode number of <paramref name="path"/>.</summary>
    public InodeNumber InodeOf(string path) => Files.Lookup(path).Value;

    /// <summary>A reflink copy of <paramref name="source"/> at <paramref name="destination"/>: every block shared.</summary>
    public InodeNumber Clone(string source, string destination)
    {
        var ino = Files.Create(destination, new FileCreateOptions(null)).Value;
        Files.Clone(InodeOf(source), ino).ShouldBe(Errno.Ok);
        return ino;
    }

    /// <summary>fork(): the child process (PF_MCE flags inherited) with a copy of the parent's VMAs (dup_mmap).</summary>
    public TaskStruct Fork(TaskStruct parent, int pid) => Machine.Fork(parent, pid);

    /// <summary>A fresh testfs registered on <paramref name="machine"/> as the kernel registers a plugin's type: guarded, as module "testfs".</summary>
    public static FileSystemTypeEntry RegisterTestFs(Machine machine)
    {
        var scope = new GuardScope(new ModuleIdentity("testfs", "1.0"), machine.PluginCalls);
        return new FileSystemTypeEntry("testfs", ModuleGuard.Wrap<IFileSystemType>(new TestFsType(), scope), scope);
    }

    /// <summary>The IKernelServices a plugin of this machine gets, for building filesystems by hand.</summary>
    public KernelServices ServicesFor(string plugin) => ServicesFor(Machine, plugin);

    /// <summary>The IKernelServices <paramref name="machine"/> gives plugin <paramref name="plugin"/>.</summary>
    public static KernelServices ServicesFor(Machine machine, string plugin) =>
        ((Func<GuardScope, KernelServices>)machine.Services.GetService(typeof(Func<GuardScope, KernelServices>))!)(new GuardScope(new ModuleIdentity(plugin, "1.0"), machine.PluginCalls));

    /// <summary>The decisions of type <typeparamref name="T"/> in a slice.</summary>
    public static IReadOnlyList<T> Of<T>(IEnumerable<Decision> decisions) => decisions.OfType<T>().ToList();

    public void Dispose() => Machine.Dispose();
}
